// Echoes what the function saw: method, path, query, headers and the body
// (as text, or base64 for binary bodies when ?binary=1).
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
  return Response.json({
    method: req.method,
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: Object.fromEntries(req.headers),
    body: text,
    length: bytes.length,
  }, { headers: { "x-echo": "yes" } });
});
