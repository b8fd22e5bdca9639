// pgstack edge functions: the runtime's front process.
//
// pgstack-functions' supervisor runs this file under deno (see
// src/functions/runtime.c for its permissions) and starts it again when it
// ends. It serves HTTP on a Unix socket to the FastCGI workers, which send
// each invocation with the header
//   x-pgstack-deployment: <name>/<version>/<env file hash or "none">
// after writing the deployment under <root>/fn/<name>/<version>/ and its
// environment under <root>/env/<hash>.json. Each function runs in a deno
// process of its own (child.ts), started on its first call with only its
// own permissions, kept warm, replaced when a new version or environment
// arrives, and ended after FUNCTIONS_IDLE_TIMEOUT without calls. A process
// that loops past FUNCTIONS_TIMEOUT is killed (504); one that exceeds its
// V8 heap (FUNCTIONS_MEMORY_MB) dies (546 WORKER_LIMIT); neither touches
// another function's process.

function flag(name: string, fallback?: string): string {
  const i = Deno.args.indexOf("--" + name);
  if (i >= 0 && i + 1 < Deno.args.length) return Deno.args[i + 1];
  if (fallback !== undefined) return fallback;
  console.error(`pgstack runtime: --${name} is required`);
  Deno.exit(2);
}

const SOCKET = flag("socket");
const ROOT = flag("root").replace(/\/+$/, "");
const DENO = flag("deno");
const CHILD = flag("child");
// Runs each function's deno with PR_SET_PDEATHSIG: a function busy in a
// loop cannot notice that its stdin closed, so the kernel ends it with us.
const SETPRIV = flag("setpriv", "/usr/bin/setpriv");
const MEMORY_MB = Number(flag("memory-mb", "256"));
const TIMEOUT_MS = Number(flag("timeout-s", "150")) * 1000;
const IDLE_MS = Number(flag("idle-s", "300")) * 1000;
const BOOT_MS = 60_000;
const WHOLE_REPLY_MAX = 1 << 20; // replies up to 1 MB with a Content-Length are read whole

const DEPLOYMENT = /^([A-Za-z][A-Za-z0-9_-]{0,127})\/([0-9]{1,19})\/([0-9a-f]{64}|none)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
// never forwarded to a function: hop-by-hop and framing headers, and ours
const DROP_REQUEST = [
  "host", "connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
  "proxy-connection", "content-length", "expect", "x-pgstack-deployment",
];
const DROP_REPLY = ["connection", "keep-alive", "transfer-encoding", "content-length"];

interface Child {
  key: string;
  name: string;
  proc: Deno.ChildProcess;
  port: Promise<number>;
  inflight: number;
  lastUsed: number;
  exited: boolean;
  signal: string | null;
  oom: boolean;
  retired: boolean;
}

const children = new Map<string, Child>();

function json(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status });
}

function readEnvFile(hash: string): Record<string, string> {
  if (hash === "none") return {};
  const parsed = JSON.parse(Deno.readTextFileSync(`${ROOT}/env/${hash}.json`));
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(parsed)) {
    if (ENV_NAME.test(k) && typeof v === "string") out[k] = v;
  }
  return out;
}

function configFlags(dir: string): string[] {
  for (const f of ["deno.json", "deno.jsonc"]) {
    try {
      Deno.statSync(`${dir}/${f}`);
      return [`--config=${dir}/${f}`];
    } catch (_) { /* absent */ }
  }
  try {
    Deno.statSync(`${dir}/import_map.json`);
    return ["--no-config", `--import-map=${dir}/import_map.json`];
  } catch (_) {
    return ["--no-config"];
  }
}

// Forwards the child's stderr to ours, line by line with its name, and
// notices a V8 heap exhaustion.
async function watchStderr(child: Child, stream: ReadableStream<Uint8Array>) {
  const lines = stream.pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of lines) {
    rest += chunk;
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      if (/out of memory|heap limit/i.test(line)) child.oom = true;
      console.error(`[function ${child.name}] ${line}`);
    }
  }
}

// Resolves with the port the child announces on stdout.
async function readPort(stream: ReadableStream<Uint8Array>): Promise<number> {
  let text = "";
  const timer = new Promise<never>((_, reject) =>
    setTimeout(() => reject(new Error("boot timeout")), BOOT_MS)
  );
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const read = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the function ended before serving");
      text += value;
      const m = text.match(/LISTEN (\d+)\n/);
      if (m) {
        reader.releaseLock();
        return Number(m[1]);
      }
    }
  })();
  return await Promise.race([read, timer]);
}

function spawn(name: string, version: string, envHash: string, key: string): Child {
  const dir = `${ROOT}/fn/${name}/${version}`;
  const env = readEnvFile(envHash);
  const names = Object.keys(env);
  const args = [
    "run", "--no-prompt", "--quiet", "--allow-net",
    ...(names.length ? [`--allow-env=${names.join(",")}`] : []),
    `--allow-read=${dir}`,
    `--v8-flags=--max-old-space-size=${MEMORY_MB}`,
    ...configFlags(dir),
    CHILD, dir,
  ];
  const proc = new Deno.Command(SETPRIV, {
    args: ["--pdeathsig", "KILL", "--", DENO, ...args],
    cwd: dir,
    clearEnv: true,
    env: { ...env, DENO_DIR: `${ROOT}/cache`, NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const child: Child = {
    key, name, proc, port: readPort(proc.stdout), inflight: 0, lastUsed: Date.now(),
    exited: false, signal: null, oom: false, retired: false,
  };
  child.port.catch(() => kill(child));
  watchStderr(child, proc.stderr).catch(() => {});
  proc.status.then((s) => {
    child.exited = true;
    child.signal = s.signal;
    if (children.get(name) === child) children.delete(name);
  });
  return child;
}

function kill(child: Child) {
  if (child.exited) return;
  try {
    child.proc.kill("SIGKILL");
  } catch (_) { /* already gone */ }
}

function childFor(name: string, version: string, envHash: string): Child {
  const key = `${name}/${version}/${envHash}`;
  const current = children.get(name);
  if (current && current.key === key && !current.exited) return current;
  if (current) {
    current.retired = true; // a newer deployment or environment: drain, then end
    if (current.inflight === 0) kill(current);
  }
  const child = spawn(name, version, envHash, key);
  children.set(name, child);
  return child;
}

function release(child: Child) {
  child.inflight--;
  child.lastUsed = Date.now();
  if (child.retired && child.inflight === 0) kill(child);
}

async function failure(child: Child, timedOut: boolean): Promise<Response> {
  if (timedOut) {
    return json(504, {
      error: `the function did not finish within FUNCTIONS_TIMEOUT (${TIMEOUT_MS / 1000} s)`,
      code: "IDLE_TIMEOUT",
    });
  }
  await Promise.race([child.proc.status, new Promise((r) => setTimeout(r, 500))]);
  if (child.oom) {
    return json(546, {
      error: "the function exceeded its memory limit",
      code: "WORKER_LIMIT",
      message: "Worker failed to respond due to a resource limit (please check logs)",
    });
  }
  if (child.exited && child.signal === null) {
    return json(500, { error: "the function's process ended during the request", code: "WORKER_ERROR" });
  }
  return json(502, { error: "edge runtime unavailable" });
}

// The reply body, passed through as it comes; the invocation ends (timer,
// in-flight count) when the body does.
function tracked(body: ReadableStream<Uint8Array> | null, done: () => void) {
  if (!body) {
    done();
    return null;
  }
  let finished = false;
  const end = () => {
    if (!finished) {
      finished = true;
      done();
    }
  };
  const reader = body.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done: last } = await reader.read();
        if (last) {
          end();
          controller.close();
        } else controller.enqueue(value);
      } catch (e) {
        end();
        controller.error(e);
      }
    },
    cancel(reason) {
      end();
      reader.cancel(reason).catch(() => {});
    },
  }, { highWaterMark: 0 });
}

async function invoke(req: Request): Promise<Response> {
  const m = DEPLOYMENT.exec(req.headers.get("x-pgstack-deployment") ?? "");
  if (!m) return json(400, { error: "missing or malformed x-pgstack-deployment" });
  const [, name, version, envHash] = m;
  let child: Child;
  try {
    child = childFor(name, version, envHash);
  } catch (e) {
    console.error(`pgstack runtime: cannot start ${name}: ${e}`);
    return json(503, { error: "the function could not be started", code: "BOOT_ERROR" });
  }
  let port: number;
  try {
    port = await child.port;
  } catch (e) {
    console.error(`pgstack runtime: ${name} did not start: ${e instanceof Error ? e.message : e}`);
    return json(503, { error: "the function failed to start", code: "BOOT_ERROR" });
  }
  const url = new URL(req.url);
  const headers = new Headers(req.headers);
  for (const h of DROP_REQUEST) headers.delete(h);
  // the reply must reach the client as the function wrote it: no
  // compression between the two processes (fetch would undo it silently)
  headers.set("accept-encoding", "identity");
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  const body = hasBody ? await req.arrayBuffer() : undefined;
  child.inflight++;
  child.lastUsed = Date.now();
  const abort = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    abort.abort();
    kill(child); // a function past its wall clock may be looping: end its process
  }, TIMEOUT_MS);
  const done = () => {
    clearTimeout(timer);
    release(child);
  };
  let reply: Response;
  try {
    reply = await fetch(`http://127.0.0.1:${port}${url.pathname}${url.search}`, {
      method: req.method,
      headers,
      body,
      redirect: "manual",
      signal: abort.signal,
    });
  } catch (_) {
    done();
    return await failure(child, timedOut);
  }
  const out = new Headers(reply.headers);
  for (const h of DROP_REPLY) out.delete(h);
  const length = Number(reply.headers.get("content-length") ?? "-1");
  if (length >= 0 && length <= WHOLE_REPLY_MAX) {
    // a complete reply of known, small size: read at once (cheaper than a
    // stream pumped chunk by chunk); streamed replies have no length
    let bytes: ArrayBuffer;
    try {
      bytes = await reply.arrayBuffer();
    } catch (_) {
      done();
      return await failure(child, timedOut);
    }
    done();
    return new Response(bytes, { status: reply.status, headers: out });
  }
  return new Response(tracked(reply.body, done), { status: reply.status, headers: out });
}

setInterval(() => {
  const now = Date.now();
  for (const child of children.values()) {
    if (child.inflight === 0 && now - child.lastUsed > IDLE_MS) kill(child);
  }
}, Math.min(IDLE_MS, 5000));

try {
  Deno.removeSync(SOCKET);
} catch (_) { /* none left over */ }
Deno.serve({
  path: SOCKET,
  onListen() {
    console.error(`pgstack runtime: serving on ${SOCKET}`);
  },
  onError(e) {
    console.error(`pgstack runtime: ${e}`);
    return json(502, { error: "edge runtime unavailable" });
  },
}, invoke);
