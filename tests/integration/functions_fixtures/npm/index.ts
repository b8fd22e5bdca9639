// An npm: specifier (needs the npm registry when first started).
import ms from "npm:ms@2.1.3";

Deno.serve(() => Response.json({ twoDays: ms("2 days") }));
