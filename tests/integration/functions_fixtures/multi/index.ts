// Imports a module of its own folder and answers CORS preflights itself.
import { greet } from "./lib/greet.ts";
const cors = {
  "access-control-allow-origin": "*",
  "access-control-allow-headers": "authorization, x-client-info, apikey, content-type",
};
Deno.serve(async (req) => {
  if (req.method === "OPTIONS") return new Response("ok", { headers: cors });
  const { name } = await req.json().catch(() => ({ name: "world" }));
  return new Response(greet(name), { headers: { ...cors, "content-type": "text/plain" } });
});
