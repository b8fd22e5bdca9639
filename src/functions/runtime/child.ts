// pgstack edge functions: the bootstrap of ONE function's process.
//
// Started by main.ts as
//   deno run --no-prompt --allow-net --allow-env=<the function's variables>
//            --allow-read=<the function's folder>,<its socket>
//            --allow-write=<its socket> --v8-flags=--max-old-space-size=<MB>
//            child.ts <folder> <socket> <idle seconds>
// with only the function's variables in its environment. It imports the
// function's index.ts, which calls Deno.serve(handler) as on Supabase; that
// call is captured here and the handler is served over HTTP on the Unix
// socket <socket>, to which the FastCGI workers connect directly (kept-alive
// connections, no process in between). "LISTEN" on stdout tells main.ts it
// is serving. The process ends by itself after <idle seconds> without a
// request, drains and ends on SIGTERM (a newer deployment replaced it), and
// ends when its stdin closes (main.ts is gone); a busy one is killed by the
// parent-death signal set by setpriv (see main.ts).

type Handler = (req: Request, info: Deno.ServeHandlerInfo) => Response | Promise<Response>;

const folder = Deno.args[0];
const socket = Deno.args[1];
const idleMs = Number(Deno.args[2] ?? "300") * 1000;
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

// Requests (their replies' bodies included) still running, and when the last ended.
let inflight = 0;
let lastUsed = Date.now();

function ended() {
  inflight--;
  lastUsed = Date.now();
}

async function boot() {
  const entry = new URL("file://" + folder.replace(/\/+$/, "") + "/index.ts");
  try {
    await import(entry.href);
  } catch (e) {
    // a syntax error, a missing import, a throw at the top level
    console.error(`pgstack: index.ts failed to load: ${e instanceof Error ? e.message : e}`);
    Deno.exit(4);
  }
  if (!handler) {
    console.error("pgstack: index.ts did not call Deno.serve(handler)");
    Deno.exit(3);
  }
  const h = handler;
  try {
    Deno.removeSync(socket);
  } catch (_) { /* none left over */ }
  const server = realServe({
    path: socket,
    onListen() {
      Deno.stdout.writeSync(new TextEncoder().encode("LISTEN\n"));
    },
    onError(e) {
      console.error(e);
      return userOnError ? userOnError(e) : workerError();
    },
  }, (req, info) => {
    // in flight until the reply, body included, is sent (a stream too)
    inflight++;
    lastUsed = Date.now();
    info.completed.then(ended, ended);
    return h(req, info);
  });
  const stop = async () => {
    try {
      await server.shutdown(); // lets the requests in flight finish
    } finally {
      Deno.exit(0);
    }
  };
  Deno.addSignalListener("SIGTERM", () => void stop());
  setInterval(() => {
    if (inflight <= 0 && Date.now() - lastUsed > idleMs) void stop();
  }, Math.min(idleMs, 5000));
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
