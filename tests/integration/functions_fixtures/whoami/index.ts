// Reads the caller's JWT claims (not verified again here) and the
// environment the function was given; ?status=N answers with that status.
Deno.serve((req) => {
  const url = new URL(req.url);
  const auth = req.headers.get("authorization") ?? "";
  let claims = null;
  const token = auth.replace(/^Bearer /, "");
  if (token.split(".").length === 3) {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    claims = JSON.parse(atob(part + "=".repeat((4 - part.length % 4) % 4)));
  }
  const names = (url.searchParams.get("env") ?? "").split(",").filter(Boolean);
  const env: Record<string, string | null> = {};
  for (const n of names) env[n] = Deno.env.get(n) ?? null;
  let envAll: unknown = null;
  try {
    envAll = Object.keys(Deno.env.toObject()).sort();
  } catch (e) {
    envAll = String((e as Error).name);
  }
  const probes: Record<string, string> = {};
  const probe = (name: string, fn: () => unknown) => {
    try {
      fn();
      probes[name] = "allowed";
    } catch (e) {
      probes[name] = (e as Error).name;
    }
  };
  probe("write", () => Deno.writeTextFileSync("/tmp/pgstack-fn-probe", "x"));
  probe("read_etc", () => Deno.readTextFileSync("/etc/hostname"));
  probe("read_own", () => Deno.readTextFileSync(new URL("./index.ts", import.meta.url)));
  probe("run", () => new Deno.Command("/bin/true").outputSync());
  probe("ffi", () => Deno.dlopen("libc.so.6", {}));
  const status = Number(url.searchParams.get("status") ?? "200");
  return Response.json({ claims, env, envAll, probes }, { status });
});
