"""Real servers for the store suite, all on 127.0.0.1 with free ports.

* moto in server mode (S3, and B2 through the S3 endpoint override);
* gcp-storage-emulator (the GCS JSON API);
* FaultProxy: a small HTTP proxy in front of either, which injects faults
  (error statuses with Retry-After, resets mid-body, truncated, corrupted,
  slow and stalled responses) and records every request it sees;
* FakeGoogle: an OAuth token endpoint and a metadata server that check
  what snapdir sends (an RS256 JWT, a refresh token, Metadata-Flavor).
"""

import base64
import http.client
import io
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, proc, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited early: %r" % (proc.args,))
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not come up: %s" % url)


def _tool(name):
    """A console script next to this Python, else on PATH."""
    here = os.path.join(os.path.dirname(sys.executable), name)
    return here if os.path.exists(here) else (shutil.which(name) or name)


class Server:
    """A child process serving HTTP on 127.0.0.1:port."""

    def __init__(self, argv, port, ready_path, env=None, log=None):
        self.port = port
        self.url = "http://127.0.0.1:%d" % port
        self.log = log or open(os.devnull, "wb")
        self.proc = subprocess.Popen(argv, stdout=self.log,
                                     stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        try:
            _wait_http(self.url + ready_path, self.proc)
        except Exception:
            self.stop()
            raise

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def start_moto(log=None):
    port = free_port()
    env = dict(os.environ)
    env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
    return Server([_tool("moto_server"), "-H", "127.0.0.1", "-p", str(port)],
                  port, "/moto-api/data.json", env=env, log=log)


def start_gcs_emulator(log=None):
    port = free_port()
    return Server([_tool("gcp-storage-emulator"), "start", "--host",
                   "127.0.0.1", "--port", str(port), "--in-memory"],
                  port, "/storage/v1/b", log=log)


def moto_enable_auth(url):
    """From now on moto checks every request's SigV4 signature (botocore's
    code) against the IAM users it knows."""
    req = urllib.request.Request(url + "/moto-api/reset-auth", data=b"0",
                                 method="POST",
                                 headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(req).read()


# ---- the fault-injecting proxy --------------------------------------------

HOP = {"connection", "keep-alive", "transfer-encoding", "expect",
       "proxy-connection", "te", "upgrade"}


class Rule:
    def __init__(self, action, method=None, path=None, times=1, **kw):
        self.action, self.method, self.path = action, method, path
        self.times = times  # None: always
        self.kw = kw
        self.hits = 0

    def matches(self, method, path):
        return ((self.method is None or self.method == method) and
                (self.path is None or self.path in path) and
                (self.times is None or self.hits < self.times))


class _Sink(io.RawIOBase):
    def writable(self):
        return True

    def write(self, b):
        return len(b)


class FaultProxy:
    """Forwards to upstream; rules (first match wins) inject faults."""

    def __init__(self, upstream_port):
        self.upstream = upstream_port
        self.rules = []
        self.log = []  # dicts: t, method, path, action, headers, client
        self.lock = threading.Lock()
        self.inflight = 0
        self.max_inflight = 0
        self.require_bearer = None
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _any(self):
                proxy._handle(self)

            do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _any

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def add(self, action, method=None, path=None, times=1, **kw):
        rule = Rule(action, method, path, times, **kw)
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self):
        with self.lock:
            self.rules = []
            self.log = []
            self.max_inflight = 0

    def requests(self, method=None, path=None):
        with self.lock:
            return [e for e in self.log
                    if (method is None or e["method"] == method) and
                    (path is None or path in e["path"])]

    def _take(self, method, path):
        with self.lock:
            for r in self.rules:
                if r.matches(method, path):
                    r.hits += 1
                    return r
        return None

    # -- the handler --------------------------------------------------------

    def _handle(self, h):
        method, path = h.command, h.path
        rule = self._take(method, path)
        action = rule.action if rule else "forward"
        with self.lock:
            self.inflight += 1
            self.max_inflight = max(self.max_inflight, self.inflight)
            self.log.append({"t": time.monotonic(), "method": method,
                             "path": path, "action": action,
                             "headers": {k.lower(): v
                                         for k, v in h.headers.items()},
                             "client": h.client_address[1]})
        try:
            self._serve(h, method, path, rule, action)
        finally:
            with self.lock:
                self.inflight -= 1

    def _reset(self, h):
        """Abort the connection with a TCP RST."""
        h.wfile.flush()
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True
        h.wfile = _Sink()

    def _serve(self, h, method, path, rule, action):
        length = int(h.headers.get("Content-Length") or 0)
        if action == "reset_upload":
            h.rfile.read(length // 2)
            return self._reset(h)
        body = h.rfile.read(length) if length else b""
        if action == "drop":
            return self._reset(h)
        if action == "status":
            code = rule.kw.get("code", 503)
            payload = rule.kw.get("body", b"")
            h.send_response(code)
            for k, v in rule.kw.get("headers", {}).items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            if method != "HEAD":
                h.wfile.write(payload)
            return
        if action == "delay":
            time.sleep(rule.kw.get("seconds", 0.5))
        if self.require_bearer is not None and (
                h.headers.get("Authorization") !=
                "Bearer " + self.require_bearer):
            payload = json.dumps({"error": {"code": 401, "message":
                                            "Invalid Credentials"}}).encode()
            h.send_response(401)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            h.end_headers()
            h.wfile.write(payload)
            return
        status, headers, data = self._forward(h, method, path, body)
        if action == "corrupt" and data:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        h.send_response(status)
        for k, v in headers:
            if k.lower() not in HOP and k.lower() != "content-length":
                h.send_header(k, v)
        clen = dict((k.lower(), v) for k, v in headers).get("content-length")
        h.send_header("Content-Length",
                      clen if method == "HEAD" and clen else str(len(data)))
        h.end_headers()
        if method == "HEAD":
            return
        if action == "truncate":
            h.wfile.write(data[:len(data) // 2])
            h.wfile.flush()
            h.close_connection = True
            h.connection.shutdown(socket.SHUT_RDWR)
            return
        if action == "reset":
            h.wfile.write(data[:len(data) // 2])
            return self._reset(h)
        if action == "stall":
            h.wfile.flush()
            time.sleep(rule.kw.get("seconds", 3))
        try:
            h.wfile.write(data)
        except OSError:
            pass

    def _forward(self, h, method, path, body):
        c = http.client.HTTPConnection("127.0.0.1", self.upstream, timeout=60)
        headers = {k: v for k, v in h.headers.items() if k.lower() not in HOP}
        c.request(method, path, body=body if body or method in
                  ("PUT", "POST") else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        out = r.getheaders()
        c.close()
        return r.status, out, data


# ---- a fake Google OAuth endpoint and metadata server ---------------------

def _b64d(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


class FakeGoogle:
    """POST /token (JWT bearer or refresh token) and the metadata token."""

    def __init__(self, public_key=None, refresh_token=None,
                 token="ya29.fake-access-token"):
        self.public_key = public_key
        self.refresh_token = refresh_token
        self.token = token
        self.calls = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def _reply(self, code, obj):
                data = json.dumps(obj).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode())
                fake.calls.append(("token", form))
                code, obj = fake._grant(form)
                self._reply(code, obj)

            def do_GET(self):
                fake.calls.append(("metadata", dict(self.headers.items())))
                if (self.path.endswith("/service-accounts/default/token") and
                        self.headers.get("Metadata-Flavor") == "Google"):
                    self._reply(200, {"access_token": fake.token,
                                      "expires_in": 3599,
                                      "token_type": "Bearer"})
                else:
                    self._reply(403, {"error": "forbidden"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def _grant(self, form):
        grant = form.get("grant_type", [""])[0]
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return self._check_jwt(form.get("assertion", [""])[0])
        if grant == "refresh_token":
            if form.get("refresh_token", [""])[0] != self.refresh_token:
                return 400, {"error": "invalid_grant",
                             "error_description": "Bad Request"}
            return 200, {"access_token": self.token, "expires_in": 3599}
        return 400, {"error": "unsupported_grant_type"}

    def _check_jwt(self, assertion):
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import padding

        try:
            head, claims, sig = assertion.split(".")
            self.public_key.verify(_b64d(sig), (head + "." + claims).encode(),
                                   padding.PKCS1v15(), hashes.SHA256())
            header = json.loads(_b64d(head))
            body = json.loads(_b64d(claims))
        except Exception as e:  # noqa: BLE001 - any failure is a bad JWT
            return 400, {"error": "invalid_grant",
                         "error_description": "bad JWT: %s" % e}
        self.last_jwt = (header, body)
        now = time.time()
        if (header.get("alg") != "RS256" or
                body.get("aud") != self.url + "/token" or
                "devstorage" not in body.get("scope", "") or
                not body["iat"] - 60 <= now <= body["exp"]):
            return 400, {"error": "invalid_grant",
                         "error_description": "bad claims"}
        return 200, {"access_token": self.token, "expires_in": 3599,
                     "token_type": "Bearer"}
