// pgstack edge functions: the bootstrap of ONE function's process.
//
// Started by main.ts as
//   deno run --no-prompt --allow-net --allow-env=<the function's variables>
//            --allow-read=<the function's folder> --v8-flags=--max-old-space-size=<MB>
//            child.ts <folder>
// with only the function's variables in its environment. It imports the
// function's index.ts, which calls Deno.serve(handler) as on Supabase; that
// call is captured here and the handler is served on a loopback port chosen
// by the system, announced to main.ts as one line "LISTEN <port>" on stdout.
// The process ends when its stdin closes (main.ts is gone); a busy one is
// killed by the parent-death signal set by setpriv (see main.ts).

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

const folder = Deno.args[0];
let handler: Handler | undefined;
let userOnError: ((e: unknown) => Response | Promise<Response>) | undefined;
const realServe = Deno.serve;

// Deno.env.get of a variable this function was not given answers undefined,
// as on Supabase, instead of a permission error.
const realGet = Deno.env.get.bind(Deno.env);
Deno.env.get = (key: string) => {
  try {
    return realGet(key);
  } catch (_) {
    return undefined;
  }
};

// Deno.serve(handler), Deno.serve(options, handler), Deno.serve({handler, ...}).
// deno-lint-ignore no-explicit-any
(Deno as any).serve = (a: any, b?: any) => {
  const options = typeof a === "function" ? {} : (a ?? {});
  const fn = typeof a === "function" ? a : (b ?? options.handler);
  if (typeof fn !== "function") throw new TypeError("Deno.serve needs a handler function");
  handler = fn;
  if (typeof options.onError === "function") userOnError = options.onError;
  const done = new Promise<void>(() => {});
  return {
    finished: done,
    addr: { transport: "tcp", hostname: "127.0.0.1", port: 0 },
    ref() {},
    unref() {},
    shutdown: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  };
};

function workerError(): Response {
  return Response.json(
    { error: "the function threw an uncaught exception", code: "WORKER_ERROR" },
    { status: 500 },
  );
}

async function boot() {
  const entry = new URL("file://" + folder.replace(/\/+$/, "") + "/index.ts");
  await import(entry.href);
  if (!handler) {
    console.error("pgstack: index.ts did not call Deno.serve(handler)");
    Deno.exit(3);
  }
  const h = handler;
  realServe({
    hostname: "127.0.0.1",
    port: 0,
    onListen({ port }) {
      Deno.stdout.writeSync(new TextEncoder().encode(`LISTEN ${port}\n`));
    },
    onError(e) {
      console.error(e);
      return userOnError ? userOnError(e) : workerError();
    },
  }, (req, info) => h(req, info));
}

(async () => {
  // main.ts holds our stdin open for as long as it lives
  const buf = new Uint8Array(64);
  try {
    while ((await Deno.stdin.read(buf)) !== null) { /* nothing is sent */ }
  } catch (_) { /* closed */ }
  Deno.exit(0);
})();

await boot();
