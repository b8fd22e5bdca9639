// Answers CORS itself, as the Supabase examples do (_shared/cors.ts): the
// preflight gets "ok" with the function's own Access-Control-* headers.
const corsHeaders = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Headers": "authorization, x-client-info, apikey, content-type, x-fixture",
  "Access-Control-Allow-Methods": "POST, GET, OPTIONS, PUT, DELETE",
  "Access-Control-Max-Age": "600",
  "X-Cors-By": "function",
};

Deno.serve((req) => {
  if (req.method === "OPTIONS") {
    return new Response("ok", { headers: corsHeaders });
  }
  return Response.json({ hello: "cors", method: req.method }, { headers: corsHeaders });
});
