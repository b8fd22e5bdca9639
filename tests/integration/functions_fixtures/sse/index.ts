// Server-sent events: ?n events, ?gap milliseconds apart.
Deno.serve((req) => {
  const url = new URL(req.url);
  const n = Number(url.searchParams.get("n") ?? "3");
  const gap = Number(url.searchParams.get("gap") ?? "400");
  const enc = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      for (let i = 1; i <= n; i++) {
        controller.enqueue(enc.encode(`data: ${JSON.stringify({ i, t: Date.now() })}\n\n`));
        if (i < n) await new Promise((r) => setTimeout(r, gap));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-cache" } });
});
