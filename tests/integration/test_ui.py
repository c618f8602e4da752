"""The topology page (/ui) in a real headless Chromium against real sidecars.

Three ActiveMQ brokers and three brokernetd sidecars (A dials B and C, B
dials C); A's /ui is opened in headless Chromium, driven over the DevTools
protocol with the standard library only (a minimal RFC 6455 WebSocket
client below). Checks that the page finds all three sidecars through
peer_management, draws three nodes and three up links, shows a message rate
while traffic flows, highlights a queue, and greys a sidecar that stopped.
Saves a screenshot to tests/out/ui-topology.png (and to docs/topology.png, the
README's picture, when BN_UPDATE_DOCS=1).

Chromium: /usr/bin/chromium (Debian's chromium package; BN_CHROMIUM
overrides the path). The tests are skipped when it is absent.
"""

import base64
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.parse
import urllib.request
import uuid

from netbase import NetTestCase, OUT, ROOT, connector_xml, metric, wait_for

import bnharness

CHROMIUM = os.environ.get("BN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars",
    "--window-size=1280,800",
    # --user-data-dir=<fresh temp dir> and --remote-debugging-port=0 are added
]
WIDTH, HEIGHT = 1280, 800


# ---------------------------------------------------------------- WebSocket

class WebSocketError(Exception):
    pass


class WebSocket:
    """A minimal RFC 6455 client: handshake, masked text frames out,
    (fragmented) text frames in, ping -> pong, close. Enough for the
    DevTools protocol."""

    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def __init__(self, url, timeout=30.0):
        u = urllib.parse.urlsplit(url)
        if u.scheme != "ws":
            raise WebSocketError("only ws:// URLs: %s" % url)
        self.sock = socket.create_connection((u.hostname, u.port or 80), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + ("?" + u.query if u.query else "")
        req = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\n\r\n" % (path or "/", u.hostname, u.port or 80, key))
        self.sock.sendall(req.encode())
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if not re.match(r"HTTP/1\.1 101\b", lines[0]):
            raise WebSocketError("handshake refused: %s" % lines[0])
        headers = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        want = base64.b64encode(hashlib.sha1((key + self.GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != want:
            raise WebSocketError("bad Sec-WebSocket-Accept %r" % headers.get("sec-websocket-accept"))

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise WebSocketError("connection closed")
        self.buf += chunk

    def _take(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _send_frame(self, opcode, payload):
        n = len(payload)
        head = bytes([0x80 | opcode])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 1 << 16:
            head += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode("utf-8"))

    def recv_text(self):
        """The next whole text message (control frames handled here)."""
        parts = []
        while True:
            b0, b1 = self._take(2)
            fin, opcode = b0 & 0x80, b0 & 0x0F
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._take(8))[0]
            mask = self._take(4) if b1 & 0x80 else None
            payload = self._take(n)
            if mask:
                payload = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
            if opcode == 0x9:           # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:           # pong
                continue
            if opcode == 0x8:           # close
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                raise WebSocketError("closed by peer")
            if opcode in (0x1, 0x0):    # text, continuation
                parts.append(payload)
                if fin:
                    return b"".join(parts).decode("utf-8")
                continue
            raise WebSocketError("unexpected opcode %d" % opcode)

    def close(self):
        try:
            self._send_frame(0x8, struct.pack("!H", 1000))
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


# ---------------------------------------------------------------- Chromium

class Chromium:
    """Headless Chromium, one page, driven over the DevTools protocol
    (browser endpoint, flat sessions). Stopped by PID."""

    def __init__(self, workdir):
        self.profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
        self.log_path = os.path.join(workdir, "chromium.log")
        self.args = [CHROMIUM] + CHROMIUM_FLAGS + [
            "--user-data-dir=" + self.profile, "--remote-debugging-port=0", "about:blank"]
        self.proc = None
        self.ws = None
        self.next_id = 0
        self.session = None
        self.events = []

    def start(self, timeout=40.0):
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(self.args, stdin=subprocess.DEVNULL,
                                         stdout=log, stderr=log, start_new_session=True,
                                         preexec_fn=bnharness._set_pdeathsig)

        def ws_url():
            if self.proc.poll() is not None:
                raise RuntimeError("chromium exited with %s:\n%s" % (self.proc.returncode,
                                                                     self.log_tail()))
            with open(self.log_path, errors="replace") as f:
                m = re.search(r"DevTools listening on (ws://\S+)", f.read())
            return m.group(1) if m else None
        url = wait_for(ws_url, timeout, interval=0.1, what="chromium's DevTools URL")
        self.ws = WebSocket(url)
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)
        self.session = self.call("Target.attachToTarget",
                                 {"targetId": target["targetId"], "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False})
        return self

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return ""

    def call(self, method, params=None, session=True, timeout=60.0):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session and self.session:
            msg["sessionId"] = self.session
        self.ws.sock.settimeout(timeout)
        self.ws.send_text(json.dumps(msg))
        while True:
            reply = json.loads(self.ws.recv_text())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply["method"])
                del self.events[:-200]

    def navigate(self, url):
        res = self.call("Page.navigate", {"url": url})
        if res.get("errorText"):
            raise RuntimeError("navigate %s: %s" % (url, res["errorText"]))
        wait_for(lambda: self.eval("document.readyState") == "complete", 20,
                 what="page load")

    def eval(self, expr):
        res = self.call("Runtime.evaluate", {"expression": expr, "returnByValue": True,
                                             "awaitPromise": True})
        if "exceptionDetails" in res:
            raise RuntimeError("JS exception in %r: %s" % (
                expr[:80], res["exceptionDetails"].get("exception", {}).get(
                    "description", res["exceptionDetails"].get("text"))))
        return res.get("result", {}).get("value")

    def screenshot(self, path):
        data = base64.b64decode(self.call("Page.captureScreenshot", {"format": "png"})["data"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
        return data

    def stop(self):
        if self.ws is not None:
            try:
                self.call("Browser.close", session=False, timeout=5)
            except Exception:
                pass
            self.ws.close()
            self.ws = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            # its helpers (zygote, renderer, ...) are in the session we
            # created for it: reap any that outlived the browser
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc = None
        shutil.rmtree(self.profile, ignore_errors=True)


# What the page shows, read through its stable DOM hooks.
SNAPSHOT_JS = r"""(() => {
  const nodes = [...document.querySelectorAll('#graph g.node')].map(n => ({
    name: n.dataset.broker, cls: n.getAttribute('class'),
    text: [...n.querySelectorAll('text')].map(t => t.textContent).join(' | ')}));
  const edges = [...document.querySelectorAll('#graph g.edge')].map(e => {
    const r = e.querySelector('text.rate');
    return {from: e.dataset.from, to: e.dataset.to, state: e.dataset.state,
      cls: e.getAttribute('class'), rate: r ? parseFloat(r.textContent) : null,
      rateText: r ? r.textContent : null,
      detail: (e.querySelector('text.detail') || {}).textContent || '',
      reason: (e.querySelector('text.reason') || {}).textContent || ''};
  });
  const u = document.getElementById('updated');
  const sel = document.getElementById('queue');
  return {nodes, edges, polls: +u.dataset.polls, updated: u.textContent,
    msg: document.getElementById('msg').textContent,
    queues: [...sel.options].map(o => o.value),
    svg: !!document.querySelector('svg#graph')};
})()"""


def png_size(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise AssertionError("not a PNG")
    return struct.unpack("!II", data[16:24])


@unittest.skipUnless(os.path.exists(CHROMIUM),
                     "%s not found: install Debian's chromium package (tools/deps.sh) "
                     "to run the topology page tests" % CHROMIUM)
class TopologyUI(NetTestCase):
    BROKERS = ("A", "B", "C")

    def network(self):
        """A dials B and C, B dials C."""
        c = self.sidecar("C")
        b = self.sidecar("B", [connector_xml("to-C", [c.link_port])])
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port]),
                               connector_xml("to-C", [c.link_port])])
        a.wait_link("B")
        a.wait_link("C")
        b.wait_link("C")
        return a, b, c

    def browser(self):
        ch = Chromium(self.tdir)
        self.addCleanup(ch.stop)
        try:
            ch.start()
        except Exception:
            print("---- chromium log\n" + ch.log_tail())
            raise
        return ch

    def open_ui(self, ch, sidecar):
        url = "http://127.0.0.1:%d/ui" % sidecar.mgmt_port
        with urllib.request.urlopen(url, timeout=5) as r:
            self.assertEqual(r.status, 200)
            self.assertIn("text/html", r.headers.get("Content-Type", ""))
            self.assertIn(b'id="graph"', r.read(), "/ui does not serve the topology page")
        ch.navigate(url)

    def snapshot(self, ch):
        return ch.eval(SNAPSHOT_JS)

    def test_three_sidecars_traffic_and_screenshot(self):
        a, b, c = self.network()
        ch = self.browser()
        t0 = time.monotonic()
        self.open_ui(ch, a)

        def drawn():
            s = self.snapshot(ch)
            up = sorted((e["from"], e["to"]) for e in s["edges"] if e["state"] == "up")
            if sorted(n["name"] for n in s["nodes"]) == ["A", "B", "C"] and \
                    up == [("A", "B"), ("A", "C"), ("B", "C")]:
                return s
            return None
        s = wait_for(drawn, 20, interval=0.2, what="three nodes and three up links drawn")
        metric("ui: page shows 3 sidecars and 3 links %.1f s after navigation"
               % (time.monotonic() - t0))
        self.assertTrue(s["svg"])
        self.assertEqual(s["msg"], "", "the page reports an error")
        self.assertEqual(len(s["nodes"]), 3, s["nodes"])
        self.assertEqual(len(s["edges"]), 3, "no failing-connector edges expected: %r" % s["edges"])
        for n in s["nodes"]:
            self.assertNotIn("unreachable", n["cls"], n)
        self.assertIn("self", [n for n in s["nodes"] if n["name"] == "A"][0]["cls"])
        for e in s["edges"]:
            self.assertIsNotNone(e["rate"], "edge %s>%s has no text.rate" % (e["from"], e["to"]))
            self.assertEqual(e["rate"], 0.0, "no traffic yet: %r" % e)
        polls = s["polls"]
        wait_for(lambda: self.snapshot(ch)["polls"] >= polls + 2, 10, what="the page to poll")

        # traffic: a consumer on C, 2000 messages produced to A over >= 3 s
        q = self.queue("ui")
        cons = self.consumer("C", q, prefetch=500)
        a.wait_subscription(q)
        wait_for(lambda: q in self.snapshot(ch)["queues"], 10, what="queue in the selector")
        n_msgs, batches = 2000, 20
        prod = self.client("A")
        done = threading.Event()
        errors = []

        def produce():
            try:
                per = n_msgs // batches
                for k in range(batches):
                    bodies = (("%08d" % (k * per + i)).encode() + b"x" * 248 for i in range(per))
                    prod.send_many("/queue/" + q, bodies, headers_fn=lambda i, body: {
                        "persistent": "true", "n": body[:8].decode()}, window=50)
                    time.sleep(0.2)
            except Exception as e:     # reported in the main thread
                errors.append(e)
            finally:
                done.set()
        tp = time.monotonic()
        threading.Thread(target=produce, daemon=True).start()

        def rate_shown():
            s = self.snapshot(ch)
            e = [e for e in s["edges"] if (e["from"], e["to"]) == ("A", "C")]
            return s if e and e[0]["rate"] and e[0]["rate"] > 0 else None
        s = wait_for(rate_shown, 20, interval=0.2, what="a message rate on the A->C edge")
        ac = [e for e in s["edges"] if (e["from"], e["to"]) == ("A", "C")][0]
        metric("ui: A->C edge shows %s while 2000 messages flow" % ac["rateText"])

        # highlight the queue: C has local demand, A->C carries it
        ch.eval("(() => { const s = document.getElementById('queue'); s.value = %s;"
                " s.dispatchEvent(new Event('change')); })()" % json.dumps(q))
        s = self.snapshot(ch)
        cls = {n["name"]: n["cls"] for n in s["nodes"]}
        self.assertIn("demand", cls["C"])
        self.assertNotIn("demand", cls["A"])
        ecls = {(e["from"], e["to"]): e["cls"] for e in s["edges"]}
        self.assertIn("hl", ecls[("A", "C")])
        self.assertNotIn("hl", ecls[("A", "B")])
        # a screenshot while the rate is up: wait for the next poll to draw it
        time.sleep(1.1)
        png = ch.screenshot(os.path.join(OUT, "ui-topology.png"))
        self.assertEqual(png_size(png), (WIDTH, HEIGHT))
        self.assertGreater(len(png), 20000, "screenshot looks empty")
        self.assertEqual(s["msg"], "", "the page reports an error")
        if os.environ.get("BN_UPDATE_DOCS") == "1":
            os.makedirs(os.path.join(ROOT, "docs"), exist_ok=True)
            shutil.copyfile(os.path.join(OUT, "ui-topology.png"),
                            os.path.join(ROOT, "docs", "topology.png"))

        done.wait(120)
        self.assertFalse(errors, errors)
        span = time.monotonic() - tp
        self.assertGreaterEqual(span, 3.0, "production must span >= 3 s")
        got = self.collect(cons, n_msgs, idle=5, limit=90)
        self.assertEqual(len(set(self.ns(got))), n_msgs)
        metric("ui: 2000 messages A->C in %.1f s, all consumed on C" % span)

    def test_topics_panel(self):
        """Topics are shown apart from queues: C's subscriber (local demand),
        the peers that want the topic from A and B, and the durable network
        subscriptions A and B keep for it; and /metrics has the topic
        gauges."""
        a, b, c = self.network()
        t = "test.ui.%s" % uuid.uuid4().hex[:8]
        sub = self.client("C")
        sub.subscribe("/topic/" + t, "t1", ack="auto", receipt=True)
        wait_for(lambda: any(s["topic"] == t for s in
                             a.status()["topics"]["durable_network_subscriptions"]["list"]),
                 15, what="A's durable network subscription for the topic")
        ch = self.browser()
        self.open_ui(ch, a)
        js = ("[...document.querySelectorAll('#topics tr')].map(r => [r.dataset.topic,"
              " r.dataset.broker, r.dataset.kind, r.textContent])")

        def shown():
            rows = ch.eval(js)
            kinds = {(r[1], r[2]) for r in rows if r[0] == t}
            return rows if {("C", "local"), ("A", "remote"), ("A", "durable")} <= kinds else None
        rows = wait_for(shown, 20, interval=0.2, what="the topic in the Topics panel")
        metric("ui: Topics panel rows for one subscriber on C: %d (%s)"
               % (len([r for r in rows if r[0] == t]),
                  "; ".join(r[3] for r in rows if r[0] == t)))
        self.assertEqual(self.queue_selector_has(ch, "/topic/" + t), False,
                         "a topic is not offered as a queue")
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % a.mgmt_port,
                                    timeout=5) as r:
            m = r.read().decode()
        self.assertRegex(m, r"\nbrokernet_topics_remote_demand [1-9]")
        self.assertRegex(m, r"\nbrokernet_durable_network_subscriptions [1-9]")

    def queue_selector_has(self, ch, name):
        return name in ch.eval("[...document.getElementById('queue').options]"
                               ".map(o => o.value)")

    def test_failing_connector_and_unreachable_sidecar(self):
        b = self.sidecar("B")
        dead = bnharness.free_port()          # nothing listens there
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port]),
                               connector_xml("to-nowhere", [dead])])
        a.wait_link("B")
        ch = self.browser()
        self.open_ui(ch, a)

        def failing():
            s = self.snapshot(ch)
            up = [e for e in s["edges"] if e["state"] == "up"]
            bad = [e for e in s["edges"] if e["from"] == "A" and
                   e["to"] == "127.0.0.1:%d" % dead and "fail" in e["cls"]]
            return s if len(up) == 1 and bad and bad[0]["reason"] else None
        s = wait_for(failing, 20, interval=0.2, what="an up link and a failing connector drawn")
        self.assertIn("fail", [e for e in s["edges"] if e["state"] != "up"][0]["cls"])

        b.stop()

        def greyed():
            s = self.snapshot(ch)
            nb = [n for n in s["nodes"] if n["name"] == "B"]
            ab = [e for e in s["edges"] if (e["from"], e["to"]) == ("A", "B")]
            return s if nb and "unreachable" in nb[0]["cls"] and \
                any(e["state"] in ("waiting", "refused", "connecting") and "fail" in e["cls"]
                    for e in ab) else None
        s = wait_for(greyed, 20, interval=0.2, what="B greyed and A->B drawn as failing")
        ch.screenshot(os.path.join(OUT, "ui-topology-failing.png"))


if __name__ == "__main__":
    unittest.main()
