Deno.serve(() => Response.json({ version: 2 }));
