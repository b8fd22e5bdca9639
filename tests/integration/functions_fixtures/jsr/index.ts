// A jsr: specifier (needs jsr.io when first started).
import { encodeHex } from "jsr:@std/encoding@1/hex";

Deno.serve(() => Response.json({ hex: encodeHex(new TextEncoder().encode("pg")) }));
