#!/usr/bin/env python3
"""npm: and jsr: imports of edge functions from the registries pgstack is
configured with (FUNCTIONS_NPM_REGISTRY, FUNCTIONS_JSR_URL: a company
mirror, or here a JSR and an npm registry on loopback, registries.py),
through the running stack: the workers are restarted with both settings,
a function importing `jsr:@pgstack/greet@^1` and `npm:pgstack-shout@1`
runs with the newest matching versions fetched from those registries, the
function cannot read the registry variables, and the usual settings come
back at the end. Standard library only."""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ANON, ENV, ROOT, call, check, run_suite  # noqa: E402
from registries import Registries  # noqa: E402

PGSTACK = os.path.join(ENV.get("PGSTACK_BUILD_DIR", os.path.join(ROOT, ".dev", "build")), "pgstack")
NAME = "registry-imports"
GREET = 'export const greet = (n: string): string => `hello ${n} from %s`;\n'
REG = Registries(
    {"@pgstack/greet": {"1.0.0": {"/mod.ts": GREET % "1.0.0"},
                        "1.1.0": {"/mod.ts": GREET % "1.1.0"},
                        "2.0.0": {"/mod.ts": GREET % "2.0.0"}}},
    {"pgstack-shout": {"1.0.0": {
        "package.json": '{"name": "pgstack-shout", "version": "1.0.0", "main": "index.js"}',
        "index.js": "module.exports = (s) => s.toUpperCase();\n"}}})
FUNCTION = """import { greet } from "jsr:@pgstack/greet@^1";
import shout from "npm:pgstack-shout@1";

Deno.serve(() => Response.json({
  text: greet(shout("pgstack")),
  jsr_url: Deno.env.get("JSR_URL") ?? null,
  npm_registry: Deno.env.get("NPM_CONFIG_REGISTRY") ?? null,
}));
"""


def scripts_dev(*args):
    out = subprocess.run([os.path.join(ROOT, "scripts", "dev")] + list(args),
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if out.returncode != 0:
        raise RuntimeError("scripts/dev %s: %s" % (" ".join(args[:2]), out.stdout[-400:]))


def cli(*args):
    out = subprocess.run([PGSTACK, "functions", *args, "--database-url", ENV["DATABASE_URL"]],
                         capture_output=True, text=True, timeout=60,
                         env=dict(os.environ, JWT_SECRET=ENV["JWT_SECRET"]))
    return out.returncode, out.stdout + out.stderr


def setup():
    scripts_dev("workers", "restart", "FUNCTIONS_JSR_URL=" + REG.jsr_url,
                "FUNCTIONS_NPM_REGISTRY=" + REG.npm_url)
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "index.ts"), "w") as f:
            f.write(FUNCTION)
        rc, out = cli("deploy", NAME, folder)
        if rc != 0:
            raise RuntimeError("deploy: " + out)


def teardown():
    cli("delete", NAME)
    REG.stop()
    scripts_dev("workers", "restart")


def test_imports_from_the_configured_registries():
    r = call("/" + NAME, token=ANON, area="/functions/v1")
    reply = r.json if isinstance(r.json, dict) else {}
    check("the function runs with its jsr: and npm: imports (200)", r.status == 200, r)
    check("jsr:@pgstack/greet@^1 resolved to the newest 1.x of the configured JSR registry, "
          "npm:pgstack-shout@1 loaded from the configured npm registry",
          reply.get("text") == "hello PGSTACK from 1.1.0", reply)
    check("both registries were asked (JSR metadata and module, npm packument and tarball)",
          REG.hits["jsr"] >= 3 and REG.hits["npm"] >= 2, REG.hits)
    check("the function cannot read the registry variables (its --allow-env names only its own)",
          reply.get("jsr_url") is None and reply.get("npm_registry") is None, reply)


if __name__ == "__main__":
    sys.exit(run_suite(setup, [test_imports_from_the_configured_registries], teardown))
