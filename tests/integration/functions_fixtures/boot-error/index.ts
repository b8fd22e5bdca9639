// Does not load: a syntax error (the runtime answers 503 BOOT_ERROR).
Deno.serve((req) => new Response("never" ;
