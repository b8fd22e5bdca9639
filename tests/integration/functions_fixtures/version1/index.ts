Deno.serve(() => Response.json({ version: 1 }));
