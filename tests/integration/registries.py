"""A JSR registry and an npm registry on loopback, in one thread, for the
functions suites: real HTTP servers speaking each registry's protocol (the
JSR package metadata — meta.json, <version>_meta.json with each file's
sha256, the files — and the npm packument with a gzipped tarball and its
sha512 integrity), serving the packages given to them. Each counts the
requests it answered, so a test can tell its imports came from here.

    reg = Registries({"@pgstack/greet": {"1.0.0": {"/mod.ts": "..."}}},
                     {"pgstack-shout": {"1.0.0": {"index.js": "...", "package.json": "..."}}})
    reg.jsr_url, reg.npm_url, reg.hits["jsr"], reg.stop()

Standard library only."""
import base64
import gzip
import hashlib
import http.server
import io
import json
import tarfile
import threading

TS_TYPES = {".ts": "application/typescript", ".js": "application/javascript",
            ".json": "application/json"}


def _tarball(files):
    """A gzipped npm tarball: every file under package/."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo("package/" + name)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


class Registries:
    def __init__(self, jsr_packages, npm_packages):
        self.hits = {"jsr": 0, "npm": 0}
        self.routes = {}
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        port = self._server.server_address[1]
        self.jsr_url = "http://127.0.0.1:%d/jsr/" % port
        self.npm_url = "http://127.0.0.1:%d/npm/" % port
        for name, versions in jsr_packages.items():
            self._add_jsr(name, versions)
        for name, versions in npm_packages.items():
            self._add_npm(name, versions)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _route(self, path, kind, body, ctype):
        self.routes[path] = (kind, body if isinstance(body, bytes) else body.encode(), ctype)

    def _add_jsr(self, name, versions):
        base = "/jsr/" + name
        latest = sorted(versions, key=lambda v: tuple(int(x) for x in v.split(".")))[-1]
        self._route(base + "/meta.json", "jsr", json.dumps(
            {"scope": name.split("/")[0][1:], "name": name.split("/")[1], "latest": latest,
             "versions": {v: {} for v in versions}}), "application/json")
        for version, files in versions.items():
            manifest = {path: {"size": len(text.encode()),
                               "checksum": "sha256-" + hashlib.sha256(text.encode()).hexdigest()}
                        for path, text in files.items()}
            self._route("%s/%s_meta.json" % (base, version), "jsr",
                        json.dumps({"manifest": manifest, "exports": {".": "./mod.ts"}}),
                        "application/json")
            for path, text in files.items():
                ctype = TS_TYPES.get(path[path.rfind("."):], "text/plain")
                self._route("%s/%s%s" % (base, version, path), "jsr", text, ctype)

    def _add_npm(self, name, versions):
        packument = {"name": name, "dist-tags": {}, "versions": {}}
        for version, files in versions.items():
            tgz = _tarball(files)
            tar_path = "/npm/%s/-/%s-%s.tgz" % (name, name, version)
            self._route(tar_path, "npm", tgz, "application/octet-stream")
            packument["versions"][version] = {
                "name": name, "version": version, "dependencies": {},
                "dist": {"tarball": self.npm_url.rstrip("/") + tar_path[len("/npm"):],
                         "shasum": hashlib.sha1(tgz).hexdigest(),
                         "integrity": "sha512-" + base64.b64encode(
                             hashlib.sha512(tgz).digest()).decode()}}
            packument["dist-tags"]["latest"] = version
        self._route("/npm/" + name, "npm", json.dumps(packument), "application/json")

    def _handler(self):
        registries = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                route = registries.routes.get(self.path.split("?")[0])
                if not route:
                    self.send_error(404)
                    return
                kind, body, ctype = route
                registries.hits[kind] += 1
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
