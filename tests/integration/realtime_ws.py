"""A small WebSocket client (RFC 6455) on raw sockets for the realtime
suites: it can speak correctly (masked frames, fragments) and wrongly
(unmasked frames, invalid UTF-8, oversized or truncated frames), and it
shows the HTTP reply when the daemon refuses the upgrade. Python 3
standard library only."""
import base64
import json
import os
import socket
import struct
import time
import urllib.parse

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


def addr_of(url_or_addr):
    """'http://127.0.0.1:8280' or '127.0.0.1:4200' -> (host, port)."""
    if "://" in url_or_addr:
        u = urllib.parse.urlsplit(url_or_addr)
        return u.hostname, u.port or 80
    host, port = url_or_addr.rsplit(":", 1)
    return host, int(port)


class Refused(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %d %s" % (status, body))
        self.status, self.body = status, body
        try:
            self.json = json.loads(body)
        except ValueError:
            self.json = None


def http_raw(addr, raw, timeout=5):
    """Sends raw bytes, returns (status, headers text, body text)."""
    s = socket.create_connection(addr_of(addr), timeout=timeout)
    try:
        try:
            s.sendall(raw)
        except ConnectionResetError:
            pass
        data = b""
        while True:
            try:
                chunk = s.recv(65536)
            except (socket.timeout, ConnectionResetError):
                break
            if not chunk:
                break
            data += chunk
    finally:
        s.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1]) if lines and len(lines[0].split()) > 1 else 0
    return status, "\r\n".join(lines[1:]), body.decode("utf-8", "replace")


class WS:
    def __init__(self, addr, path, headers=None, timeout=5, rcvbuf=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(timeout)
        self.sock.connect(addr_of(addr))
        self.buf = b""
        self.closed = None  # (code, reason) of a close frame received
        key = base64.b64encode(os.urandom(16)).decode()
        host = "%s:%d" % addr_of(addr)
        lines = ["GET %s HTTP/1.1" % path, "Host: " + host, "Upgrade: websocket",
                 "Connection: Upgrade", "Sec-WebSocket-Version: 13", "Sec-WebSocket-Key: " + key]
        for k, v in (headers or {}).items():
            lines.append("%s: %s" % (k, v))
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            self.buf += chunk
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        first = head.split(b"\r\n", 1)[0].decode("latin-1")
        self.status = int(first.split()[1]) if len(first.split()) > 1 else 0
        self.buf = rest
        if self.status != 101:
            length = 0
            for line in head.decode("latin-1").split("\r\n")[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            while len(self.buf) < length:
                chunk = self.sock.recv(65536)
                if not chunk:
                    break
                self.buf += chunk
            self.sock.close()
            raise Refused(self.status, self.buf.decode("utf-8", "replace"))

    # ------------------------------------------------------------ sending
    def frame(self, payload, opcode=OP_TEXT, fin=True, mask=True, rsv=0, length=None):
        if isinstance(payload, str):
            payload = payload.encode()
        n = len(payload) if length is None else length
        b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
        if n < 126:
            head = struct.pack("!BB", b0, (0x80 if mask else 0) | n)
        elif n < 65536:
            head = struct.pack("!BBH", b0, (0x80 if mask else 0) | 126, n)
        else:
            head = struct.pack("!BBQ", b0, (0x80 if mask else 0) | 127, n)
        if mask:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            head += key
        return head + payload

    def send(self, payload, opcode=OP_TEXT, **kw):
        self.sock.sendall(self.frame(payload, opcode, **kw))

    def send_json(self, obj):
        self.send(json.dumps(obj))

    # ---------------------------------------------------------- receiving
    def _need(self, n, deadline):
        while len(self.buf) < n:
            self.sock.settimeout(max(0.01, deadline - time.time()))
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk

    def recv_frame(self, timeout=5):
        """(opcode, payload bytes); raises socket.timeout or EOFError."""
        deadline = time.time() + timeout
        self._need(2, deadline)
        b0, b1 = self.buf[0], self.buf[1]
        n, off = b1 & 0x7F, 2
        if n == 126:
            self._need(4, deadline)
            n, off = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10, deadline)
            n, off = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(off + n, deadline)
        payload, self.buf = self.buf[off:off + n], self.buf[off + n:]
        opcode = b0 & 0x0F
        if opcode == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
            self.closed = (code, payload[2:].decode("utf-8", "replace"))
        return opcode, payload

    def recv_json(self, timeout=5):
        """The next text message as JSON (binary frames are returned as
        ('binary', bytes)); raises EOFError on a close frame."""
        op, payload = self.recv_frame(timeout)
        while op in (OP_PING, OP_PONG):
            op, payload = self.recv_frame(timeout)
        if op == OP_CLOSE:
            raise EOFError("close frame %r" % (self.closed,))
        if op == OP_BINARY:
            return ("binary", payload)
        return json.loads(payload)

    def wait_for(self, pred, timeout=5):
        """The first message for which pred is true (others are skipped)."""
        deadline = time.time() + timeout
        while True:
            msg = self.recv_json(max(0.05, deadline - time.time()))
            if pred(msg):
                return msg

    def wait_close(self, timeout=10):
        """The (code, reason) of the server's close frame, or ('eof', None)."""
        deadline = time.time() + timeout
        try:
            while True:
                op, _ = self.recv_frame(max(0.05, deadline - time.time()))
                if op == OP_CLOSE:
                    return self.closed
        except EOFError:
            return ("eof", None)

    def close(self):
        try:
            self.send(struct.pack("!H", 1000), OP_CLOSE)
        except OSError:
            pass
        self.sock.close()


def start_daemon(root, env_file_values, extra_env=None):
    """Starts another pgstack-realtime (same configuration as the stack's,
    on a free loopback port); returns (process, "127.0.0.1:port"). Its log
    goes to .dev/logs/realtime-extra.log."""
    import subprocess
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    dev = os.path.join(root, ".dev")
    env = dict(os.environ, PGSTACK_CONFIG=os.path.join(dev, "pgstack.conf"),
               REALTIME_ADDR="127.0.0.1:%d" % port)
    ports = {}
    with open(os.path.join(dev, "ports.env")) as f:
        for line in f:
            if "=" in line:
                k, v = line.strip().split("=", 1)
                ports[k] = v
    with open(os.path.join(dev, "authenticator.password")) as f:
        password = f.read().strip()
    env["REALTIME_DATABASE_URL"] = "postgresql://authenticator:%s@127.0.0.1:%s/pgstack" % (
        password, ports["PG_PORT"])
    env.update(extra_env or {})
    build = env_file_values.get("PGSTACK_BUILD_DIR", os.path.join(dev, "build"))
    log = open(os.path.join(dev, "logs", "realtime-extra.log"), "a")
    p = subprocess.Popen([os.path.join(build, "pgstack-realtime")], env=env, stdout=log, stderr=log)
    log.close()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    time.sleep(0.3)  # its LISTEN connection
    return p, "127.0.0.1:%d" % port


def stop_daemon(p):
    """SIGTERM; the exit status (or 'killed')."""
    import signal
    import subprocess
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(10)
    except subprocess.TimeoutExpired:
        p.kill()
        return "killed"
