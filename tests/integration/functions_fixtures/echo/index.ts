// Echoes what the function saw: method, path, query, headers and the body
// (as text, or base64 for binary bodies when ?binary=1; only its length
// and SHA-256 with ?quiet=1).
Deno.serve(async (req) => {
  const url = new URL(req.url);
  const bytes = new Uint8Array(await req.arrayBuffer());
  const binary = url.searchParams.get("binary") === "1";
  let text = "";
  if (binary) {
    let s = "";
    for (const b of bytes) s += String.fromCharCode(b);
    text = btoa(s);
  } else {
    text = new TextDecoder().decode(bytes);
  }
  const sha256 = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  if (url.searchParams.get("quiet") === "1") text = "";
  return Response.json({
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(req.headers),
    body: text,
    length: bytes.length,
    sha256,
  }, { headers: { "x-echo": "yes" } });
});
