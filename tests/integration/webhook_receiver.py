"""A real webhook receiver on loopback for the webhook suites: a threaded
HTTP server (one thread per request, so a hanging receiver delays nobody)
that records every request (path, headers, body, arrival time) and behaves
by path:
  /ok/...            200
  /fail/N/...        500 for the first N attempts of each X-Webhook-Id, then 200
  /status/CODE/...   always CODE
  /hang/...          answers nothing for 60 s
  /redirect/...      302 to /ok/redirected (which must never be requested)
Python 3 standard library only."""
import http.server
import threading
import time


class _Server(http.server.ThreadingHTTPServer):
    request_queue_size = 256  # 50 receivers connect at once
    daemon_threads = True


class Receiver:
    def __init__(self):
        self.requests = []
        self.lock = threading.Lock()
        self.stop_hanging = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                              "body": body, "at": time.time()})
                    seen = sum(1 for r in receiver.requests if r["path"] == self.path and
                               r["headers"].get("X-Webhook-Id") == self.headers.get("X-Webhook-Id"))
                self.behave(self.path.strip("/").split("/"), seen)

            def behave(self, parts, seen):
                if parts[0] == "hang":
                    receiver.stop_hanging.wait(60)
                    return self.answer(200)
                if parts[0] == "redirect":
                    return self.answer(302, {"Location": "/ok/redirected"})
                if parts[0] == "fail" and seen <= int(parts[1]):
                    return self.answer(500)
                if parts[0] == "status":
                    return self.answer(int(parts[1]))
                return self.answer(200)

            def answer(self, status, headers=None):
                try:
                    self.send_response(status)
                    for k, v in (headers or {}).items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def got(self, prefix):
        """The requests whose path starts with prefix, in arrival order."""
        with self.lock:
            return [r for r in self.requests if r["path"].startswith(prefix)]

    def wait(self, prefix, count, timeout):
        """Waits until count requests under prefix arrived; returns them."""
        end = time.time() + timeout
        while time.time() < end:
            got = self.got(prefix)
            if len(got) >= count:
                return got
            time.sleep(0.05)
        return self.got(prefix)

    def close(self):
        self.stop_hanging.set()
        self.server.shutdown()
        self.server.server_close()
