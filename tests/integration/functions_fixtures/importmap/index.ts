// Imports through the "imports" of its own deno.json.
import { hello } from "@greet/hello.ts";

Deno.serve(() => new Response(hello("pgstack")));
