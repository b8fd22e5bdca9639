// pgstack edge functions: the runtime's front process.
//
// pgstack-functions' supervisor runs this file under deno (see
// src/functions/runtime.c for its permissions) and starts it again when it
// ends. Each function runs in a deno process of its own (child.ts), with
// only its own permissions, serving HTTP on a Unix socket of its own,
//   <root>/sock/<first 24 hex digits of sha256("<name>/<version>/<env>")>.sock
// to which the FastCGI workers send invocations directly. This process
// only manages those processes; it serves, on its own Unix socket:
//   POST /_pgstack/ensure   x-pgstack-deployment: <name>/<version>/<env hash>
//       starts the deployment's process unless it runs (a worker found no
//       socket), answers {"socket": path} once it serves, or 503 BOOT_ERROR;
//   POST /_pgstack/failed   same header, x-pgstack-timed-out: 1|0
//       a direct invocation failed after it was sent: says why as the
//       JSON reply the caller gets (504 past FUNCTIONS_TIMEOUT, and the
//       process is killed as it may loop; 546 WORKER_LIMIT after a V8 heap
//       exhaustion; 500 when the process ended; else 502).
// The worker wrote the deployment under <root>/fn/<name>/<version>/ and
// its environment under <root>/env/<hash>.json. A process is replaced
// (drained with SIGTERM) when a newer version or environment is ensured,
// and ends by itself after FUNCTIONS_IDLE_TIMEOUT without calls.

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
const IDLE_S = Number(flag("idle-s", "300"));
const BOOT_MS = 60_000;
const FORGET_MS = 60_000; // how long an ended process's fate is remembered

// Registries and proxies pgstack was configured with (runtime.c puts them in
// our environment, FUNCTIONS_NPM_REGISTRY / FUNCTIONS_JSR_URL and the proxy
// variables of its own, and names them in --passed-env): every function's
// deno loads its npm: and jsr: imports, and makes its requests, through
// them. The function's code cannot read them (its --allow-env names only its
// own variables).
const PASSED_ENV = Object.fromEntries(
  flag("passed-env", "").split(",").filter((name) => name !== "")
    .map((name) => [name, Deno.env.get(name) ?? ""])
    .filter(([, value]) => value !== ""),
);

const DEPLOYMENT = /^([A-Za-z][A-Za-z0-9_-]{0,127})\/([0-9]{1,19})\/([0-9a-f]{64}|none)$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Child {
  key: string;
  name: string;
  version: bigint;
  socket: string;
  proc: Deno.ChildProcess;
  ready: Promise<void>;
  exited: boolean;
  signal: string | null;
  oom: boolean;
  bootError: string;
}

const children = new Map<string, Child>(); // name -> its current process
const newest = new Map<string, bigint>(); // name -> the newest version started
const byKey = new Map<string, Child>(); // key -> process, also recently ended ones

function json(status: number, body: Record<string, unknown>): Response {
  return Response.json(body, { status });
}

async function socketPath(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
  const hex = Array.from(digest).map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${ROOT}/sock/${hex.slice(0, 24)}.sock`;
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

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (_) {
    return false;
  }
}

// The folder's deno.json (or deno.jsonc), and the import map given to
// `deploy --import-map` (stored as import_map.json), which wins over the
// config's "imports" when both are there.
function configFlags(dir: string): string[] {
  const config = ["deno.json", "deno.jsonc"].find((f) => exists(`${dir}/${f}`));
  const map = exists(`${dir}/import_map.json`) ? [`--import-map=${dir}/import_map.json`] : [];
  return [config ? `--config=${dir}/${config}` : "--no-config", ...map];
}

// Forwards the child's stderr to ours, line by line with its name, and
// notices a V8 heap exhaustion and why it failed to boot.
async function watchStderr(child: Child, stream: ReadableStream<Uint8Array>) {
  const lines = stream.pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of lines) {
    rest += chunk;
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) {
      if (/out of memory|heap limit/i.test(line)) child.oom = true;
      const m = line.match(/^pgstack: (.*)$/);
      if (m && !child.bootError) child.bootError = m[1];
      console.error(`[function ${child.name}] ${line}`);
    }
  }
}

// Resolves once the child announces "LISTEN" on stdout.
async function readReady(stream: ReadableStream<Uint8Array>): Promise<void> {
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("boot timeout")), BOOT_MS);
  });
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  const read = (async () => {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the function ended before serving");
      text += value;
      if (text.includes("LISTEN\n")) {
        reader.releaseLock();
        return;
      }
    }
  })();
  try {
    await Promise.race([read, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function removeSocket(path: string) {
  try {
    Deno.removeSync(path);
  } catch (_) { /* gone */ }
}

function spawn(name: string, version: string, envHash: string, key: string, socket: string): Child {
  const dir = `${ROOT}/fn/${name}/${version}`;
  const env = readEnvFile(envHash);
  const names = Object.keys(env);
  const args = [
    "run", "--no-prompt", "--quiet", "--no-lock", "--allow-net",
    ...(names.length ? [`--allow-env=${names.join(",")}`] : []),
    `--allow-read=${dir},${socket}`,
    `--allow-write=${socket}`,
    `--v8-flags=--max-old-space-size=${MEMORY_MB}`,
    ...configFlags(dir),
    CHILD, dir, socket, String(IDLE_S),
  ];
  const proc = new Deno.Command(SETPRIV, {
    args: ["--pdeathsig", "KILL", "--", DENO, ...args],
    cwd: dir,
    clearEnv: true,
    // the system's CA store first: registries and APIs behind a company CA
    env: {
      ...env,
      ...PASSED_ENV,
      DENO_DIR: `${ROOT}/cache`,
      DENO_TLS_CA_STORE: "system,mozilla",
      NO_COLOR: "1",
    },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const child: Child = {
    key, name, version: BigInt(version), socket, proc, ready: readReady(proc.stdout),
    exited: false, signal: null, oom: false, bootError: "",
  };
  child.ready.catch(() => kill(child));
  watchStderr(child, proc.stderr).catch(() => {});
  byKey.set(key, child);
  proc.status.then((s) => {
    child.exited = true;
    child.signal = s.signal;
    if (children.get(name) === child) children.delete(name);
    const live = children.get(name);
    if (!live || live.socket !== socket) removeSocket(socket);
    // a replaced version's folder goes with its last process (the worker
    // writes a folder again from the database if it is ever needed)
    if (child.version < (newest.get(name) ?? 0n)) {
      Deno.remove(`${ROOT}/fn/${name}/${version}`, { recursive: true }).catch(() => {});
    }
    setTimeout(() => {
      if (byKey.get(key) === child) byKey.delete(key);
    }, FORGET_MS);
  });
  return child;
}

function kill(child: Child) {
  if (child.exited) return;
  try {
    child.proc.kill("SIGKILL");
  } catch (_) { /* already gone */ }
}

// A newer deployment or environment took over: no new connections, the
// requests in flight finish (SIGTERM), at most FUNCTIONS_TIMEOUT later it ends.
function retire(child: Child) {
  removeSocket(child.socket);
  try {
    child.proc.kill("SIGTERM");
  } catch (_) { /* already gone */ }
  setTimeout(() => kill(child), TIMEOUT_MS);
}

async function childFor(name: string, version: string, envHash: string): Promise<Child> {
  const key = `${name}/${version}/${envHash}`;
  const current = children.get(name);
  if (current && !current.exited && (current.key === key || current.version > BigInt(version))) {
    return current; // a worker that has not seen the newest version yet gets it
  }
  const socket = await socketPath(key);
  const again = children.get(name); // another ensure may have started it meanwhile
  if (again && !again.exited && again.key === key) return again;
  if (again && !again.exited) retire(again);
  const child = spawn(name, version, envHash, key, socket);
  children.set(name, child);
  if (child.version > (newest.get(name) ?? 0n)) newest.set(name, child.version);
  return child;
}

async function ensure(name: string, version: string, envHash: string): Promise<Response> {
  let child: Child;
  try {
    child = await childFor(name, version, envHash);
  } catch (e) {
    console.error(`pgstack runtime: cannot start ${name}: ${e}`);
    return bootError("the function could not be started");
  }
  try {
    await child.ready;
  } catch (e) {
    console.error(`pgstack runtime: ${name} did not start: ${e instanceof Error ? e.message : e}`);
    await Promise.race([child.proc.status, new Promise((r) => setTimeout(r, 500))]);
    return bootError(child.bootError || "the function failed to start");
  }
  return json(200, { socket: child.socket });
}

function bootError(why: string): Response {
  return json(503, {
    error: `the function failed to start: ${why}`,
    code: "BOOT_ERROR",
    message: "Function failed to start (please check logs)",
  });
}

async function failed(key: string, timedOut: boolean): Promise<Response> {
  const child = byKey.get(key);
  if (timedOut) {
    if (child) kill(child); // a function past its wall clock may be looping
    return json(504, {
      error: `the function did not finish within FUNCTIONS_TIMEOUT (${TIMEOUT_MS / 1000} s)`,
      code: "IDLE_TIMEOUT",
    });
  }
  if (!child) return json(502, { error: "edge runtime unavailable" });
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

async function serve(req: Request): Promise<Response> {
  const m = DEPLOYMENT.exec(req.headers.get("x-pgstack-deployment") ?? "");
  if (!m || req.method !== "POST") return json(400, { error: "missing or malformed x-pgstack-deployment" });
  const [key, name, version, envHash] = m;
  const path = new URL(req.url).pathname;
  if (path === "/_pgstack/ensure") return await ensure(name, version, envHash);
  if (path === "/_pgstack/failed") return await failed(key, req.headers.get("x-pgstack-timed-out") === "1");
  return json(404, { error: "unknown runtime request" });
}

try {
  Deno.mkdirSync(`${ROOT}/sock`, { recursive: true, mode: 0o700 });
  for (const e of Deno.readDirSync(`${ROOT}/sock`)) removeSocket(`${ROOT}/sock/${e.name}`);
} catch (e) {
  console.error(`pgstack runtime: ${ROOT}/sock: ${e}`);
}
removeSocket(SOCKET);
Deno.serve({
  path: SOCKET,
  onListen() {
    console.error(`pgstack runtime: serving on ${SOCKET}`);
  },
  onError(e) {
    console.error(`pgstack runtime: ${e}`);
    return json(502, { error: "edge runtime unavailable" });
  },
}, serve);
