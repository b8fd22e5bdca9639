// Imports through the import map given to `pgstack functions deploy
// --import-map ../mapped_import_map.json`.
import { hello } from "greet";

Deno.serve(() => new Response(hello("pgstack")));
