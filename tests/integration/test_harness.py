"""Tests of the real-broker harness (tools/bnharness.py, tools/stompclient.py).

They also document ActiveMQ behaviour that brokernetd relies on (advisories
over STOMP, header escaping, the native network bridge as a baseline).

Run: python3 -m unittest discover -s tests/integration -t . -p 'test_harness.py' -v
Work dirs go to tests/out/harness-*/ and are removed when a test passes (kept
for the logs when it fails).  Timings and RSS go to tests/out/harness-metrics.log.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools")
OUT = os.path.join(ROOT, "tests", "out")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
import stompclient  # noqa: E402
from stompclient import StompClient  # noqa: E402

HAVE_ACTIVEMQ = os.path.exists(os.path.join(bnharness.ACTIVEMQ_HOME, "bin", "activemq.jar"))


def metric(line):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "harness-metrics.log"), "a") as f:
        f.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), line))


@unittest.skipUnless(HAVE_ACTIVEMQ, "ActiveMQ not installed (make deps)")
class HarnessTestCase(unittest.TestCase):

    def setUp(self):
        os.makedirs(OUT, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="harness-%s-" % self._testMethodName, dir=OUT)
        self.brokers = []
        self.clients = []
        self.passed = False
        # Cleanups run last-in first-out: clients, then brokers, then the dir.
        self.addCleanup(self._remove_dir)
        self.addCleanup(lambda: bnharness.stop_all(self.brokers))

    def _remove_dir(self):
        if self.passed:
            shutil.rmtree(self.dir, ignore_errors=True)

    def broker(self, name, **kw):
        b = bnharness.Broker(name, os.path.join(self.dir, name), **kw)
        self.brokers.append(b)
        return b

    def client(self, broker, **kw):
        c = StompClient()
        self.addCleanup(c.close)
        c.connect("127.0.0.1", broker.stomp_port, **kw)
        return c


class TestBrokerLifecycle(HarnessTestCase):

    def test_start_two_stop_frees_pids_and_ports(self):
        a, b = self.broker("A"), self.broker("B")
        t0 = time.monotonic()
        bnharness.start_all(a, b)
        both = time.monotonic() - t0
        self.assertEqual(len({a.stomp_port, a.openwire_port, b.stomp_port, b.openwire_port}), 4)
        for x in (a, b):
            self.assertTrue(x.is_running())
            with open(x.pid_path) as f:
                self.assertEqual(int(f.read()), x.pid)
            c = self.client(x)
            self.assertTrue(c.session)
            self.assertEqual(c.connected_headers.get("version"), "1.2")
            c.disconnect()
        rss = (a.rss_kb(), b.rss_kb())
        pids = (a.pid, b.pid)
        ports = (a.stomp_port, a.openwire_port, b.stomp_port, b.openwire_port)
        t0 = time.monotonic()
        a.stop()
        b.stop()
        stop = time.monotonic() - t0
        for pid in pids:
            self.assertFalse(os.path.exists("/proc/%d" % pid), "pid %d still there" % pid)
        for x in (a, b):
            self.assertFalse(x.is_running())
            self.assertFalse(os.path.exists(x.pid_path))
        for p in ports:
            self.assertTrue(bnharness._port_is_free(p), "port %d still bound" % p)
            self.assertFalse(bnharness.stomp_ping(p, timeout=0.5))
        metric("lifecycle: 2 brokers start in parallel %.2f s (A %.2f s, B %.2f s to CONNECTED); "
               "RSS idle %d/%d KiB; stop %.2f s (A %.2f, B %.2f)"
               % (both, a.start_seconds, b.start_seconds, rss[0], rss[1], stop,
                  a.stop_seconds, b.stop_seconds))
        self.passed = True

    def test_kill9_and_restart_keep_ports_and_data(self):
        a = self.broker("A")
        a.start()
        c = self.client(a)
        c.send("/queue/keep", b"survives a crash", {"persistent": "true"})
        c.close()
        old = a.pid
        a.kill9()
        self.assertFalse(a.is_running())
        self.assertFalse(os.path.exists("/proc/%d" % old))
        a.start()
        self.assertNotEqual(a.pid, old)
        t0 = time.monotonic()
        a.restart()
        metric("restart (clean stop + start) %.2f s" % (time.monotonic() - t0))
        frames = stompclient.drain(a.stomp_port, "/queue/keep", timeout_idle=0.5)
        self.assertEqual([f.body for f in frames], [b"survives a crash"])
        self.passed = True


class TestStompClient(HarnessTestCase):

    def test_1000_persistent_messages_headers_and_bodies_intact(self):
        a = self.broker("A")
        a.start()
        n = 1000
        weird = "colon:a back\\slash new\nline cr\rx and \\n literal"
        bodies = [(b"%04d|" % i) + bytes((i * 7 + j) % 256 for j in range(1024 - 5))
                  for i in range(n)]   # includes NUL bytes: content-length framing

        def headers(i, body):
            return {"persistent": "true", "seq": str(i), "weird": weird,
                    "json": '{"k":"v:%d"}' % i}

        p = self.client(a)
        t0 = time.monotonic()
        sent = p.send_many("/queue/bulk", bodies, headers, window=100)
        send_s = time.monotonic() - t0
        self.assertEqual(sent, n)
        self.assertEqual(p.pending_receipts, set())
        p.disconnect()

        c = self.client(a)
        c.subscribe("/queue/bulk", "s1", ack="client-individual",
                    headers={"activemq.prefetchSize": "100"})
        seen = {}
        t0 = time.monotonic()
        while len(seen) < n:
            f = c.receive(timeout=10)
            self.assertIsNotNone(f, "only %d of %d messages received" % (len(seen), n))
            self.assertEqual(f.command, "MESSAGE", f)
            i = int(f.headers["seq"])
            self.assertNotIn(i, seen, "message %d received twice" % i)
            seen[i] = True
            self.assertEqual(f.headers["weird"], weird)
            self.assertEqual(f.headers["json"], '{"k":"v:%d"}' % i)
            self.assertEqual(f.headers["persistent"], "true")
            self.assertEqual(f.headers["subscription"], "s1")
            self.assertEqual(f.body, bodies[i])
            c.ack(f)
        recv_s = time.monotonic() - t0
        self.assertIsNone(c.receive(timeout=0.3), "more than %d messages" % n)
        self.assertEqual(c.errors, [])
        c.unsubscribe("s1")
        c.disconnect()
        # everything was acked: the queue is empty
        self.assertEqual(stompclient.drain(a.stomp_port, "/queue/bulk", timeout_idle=0.3), [])
        metric("stomp 1000 x 1 KiB persistent: send (window 100) %.2f s = %.0f msg/s; "
               "consume (prefetch 100, client-individual) %.2f s = %.0f msg/s"
               % (send_s, n / send_s, recv_s, n / recv_s))
        self.passed = True

    def test_codec_round_trip(self):
        # Pure client-side check of the codec (no broker needed, but cheap).
        raw = stompclient.encode_frame("SEND", [("a:b", "c\\d\ne\rf"), ("a:b", "second")], b"x\0y")
        self.assertIn(b"a\\cb:c\\\\d\\ne\\rf", raw)
        parser = stompclient.FrameParser()
        frames = parser.feed(b"\n\r\n" + raw.replace(b"SEND\n", b"SEND\ncontent-length:3\n") + b"\n")
        self.assertEqual(len(frames), 1)
        self.assertEqual(frames[0].headers["a:b"], "c\\d\ne\rf")   # first wins
        self.assertEqual(frames[0].header_list[2], ("a:b", "second"))
        self.assertEqual(frames[0].body, b"x\0y")
        # CONNECTED is not unescaped; split delivery works
        frames = []
        for ch in b"CONNECTED\r\nversion:1.2\r\nsession:ID:x\\c\r\n\r\n\0":
            frames += parser.feed(bytes([ch]))
        self.assertEqual(frames[0].headers["session"], "ID:x\\c")
        with self.assertRaises(stompclient.StompProtocolError):
            parser.feed(b"MESSAGE\nbad:\\t\n\n\0")
        self.passed = True


class TestAdvisoriesOverStomp(HarnessTestCase):
    """What brokernetd relies on to learn local demand (see shared/NOTES.md)."""

    ADV = "/topic/ActiveMQ.Advisory.Consumer.Queue.>"

    def advisory(self, obs, queue, timeout=5.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            f = obs.receive(timeout=max(0.05, deadline - time.monotonic()))
            if f is None:
                break
            self.assertEqual(f.command, "MESSAGE", f)
            if f.headers["destination"] == "/topic/ActiveMQ.Advisory.Consumer.Queue." + queue:
                return f, json.loads(f.body)
        self.fail("no consumer advisory for %s within %.1f s" % (queue, timeout))

    def test_consumer_advisories_json(self):
        a = self.broker("A")
        a.start()
        obs = self.client(a)
        obs.subscribe(self.ADV, "adv", ack="auto",
                      headers={"transformation": "jms-advisory-json"}, receipt=True)

        cons = self.client(a)          # no client-id: session == consumerId.connectionId
        session = cons.session
        self.assertTrue(session.startswith("ID:"), session)
        sel = "kind = 'x'"
        cons.subscribe("/queue/adv.q", "s1", headers={"activemq.prefetchSize": "7",
                                                      "selector": sel}, receipt=True)
        f, js = self.advisory(obs, "adv.q")
        self.assertEqual(f.headers["consumerCount"], "1")
        self.assertEqual(f.headers.get("type"), "Advisory")
        info = js["ConsumerInfo"]
        self.assertEqual(info["consumerId"]["connectionId"], session)
        self.assertEqual(info["destination"]["string"], "adv.q")
        self.assertEqual(info["destination"]["@class"], "ActiveMQQueue")
        self.assertEqual(info["prefetchSize"], 7)
        self.assertFalse(info["browser"])
        # ActiveMQ 5.17 prefixes STOMP selectors: "convert_string_expressions:kind = 'x'"
        self.assertTrue(info["selector"].endswith(sel), info["selector"])
        consumer_id = info["consumerId"]

        # A late observer gets one ConsumerInfo replayed per existing consumer.
        late = self.client(a)
        late.subscribe(self.ADV, "adv2", ack="auto",
                       headers={"transformation": "jms-advisory-json"})
        f2, js2 = self.advisory(late, "adv.q")
        self.assertEqual(js2["ConsumerInfo"]["consumerId"], consumer_id)
        self.assertEqual(f2.headers["consumerCount"], "1")
        late.disconnect()

        cons.unsubscribe("s1")
        f, js = self.advisory(obs, "adv.q")
        self.assertEqual(f.headers["consumerCount"], "0")
        obj = js["RemoveInfo"]["objectId"]
        self.assertEqual(obj["@class"], "ConsumerId")
        self.assertEqual(obj["connectionId"], session)
        self.assertEqual((obj["sessionId"], obj["value"]),
                         (consumer_id["sessionId"], consumer_id["value"]))

        # A dropped TCP connection also yields RemoveInfo.
        cons.subscribe("/queue/adv.q", "s2", receipt=True)
        f, js = self.advisory(obs, "adv.q")
        self.assertEqual(f.headers["consumerCount"], "1")
        cons.close()
        f, js = self.advisory(obs, "adv.q")
        self.assertEqual(f.headers["consumerCount"], "0")
        self.assertEqual(js["RemoveInfo"]["objectId"]["connectionId"], session)
        self.assertEqual(obs.errors, [])
        self.passed = True


class TestNativeNetwork(HarnessTestCase):

    def test_native_connector_forwards_a_to_b(self):
        b = self.broker("B")
        xml = bnharness.native_network_xml("A-to-B", [b], ttl=1, prefetch=1000)
        self.assertIn('uri="static:(tcp://127.0.0.1:%d)"' % b.openwire_port, xml)
        self.assertIn('decreaseNetworkConsumerPriority="true"', xml)
        a = self.broker("A", extra_xml=xml)
        bnharness.start_all(a, b)
        cons = self.client(b)
        cons.subscribe("/queue/native.q", "s1", headers={"activemq.prefetchSize": "10"},
                       receipt=True)
        prod = self.client(a)
        t0 = time.monotonic()
        prod.send("/queue/native.q", b"over the bridge",
                  {"persistent": "true", "note": "x:y\\z"})
        f = cons.receive(timeout=20)
        lat = time.monotonic() - t0
        self.assertIsNotNone(f, "message sent to A not consumed on B\n" + a.diagnostics())
        self.assertEqual(f.body, b"over the bridge")
        self.assertEqual(f.headers["note"], "x:y\\z")
        cons.ack(f)
        self.assertIn("Network connection between", a.log_text())
        metric("native bridge A->B first message %.3f s after send" % lat)
        self.passed = True


class TestSharedMasterSlave(HarnessTestCase):

    def test_slave_takes_over_after_master_crash(self):
        master, slave = bnharness.start_shared_pair(os.path.join(self.dir, "pair"), name="P")
        self.brokers += [master, slave]
        self.assertTrue(slave.is_running())
        self.assertFalse(bnharness.stomp_ping(slave.stomp_port, timeout=0.5),
                         "slave opened its ports without the lock")
        c = self.client(master)
        c.send("/queue/ms", b"stored by master", {"persistent": "true"})
        c.close()
        master.kill9()
        t0 = time.monotonic()
        slave.wait_ready(30)
        metric("shared master/slave: slave ready %.2f s after master kill -9"
               % (time.monotonic() - t0))
        frames = stompclient.drain(slave.stomp_port, "/queue/ms", timeout_idle=0.5)
        self.assertEqual([f.body for f in frames], [b"stored by master"])
        self.passed = True


class TestCommandLine(HarnessTestCase):

    def test_cli_start_status_stop(self):
        root = os.path.join(self.dir, "cli")
        self.addCleanup(bnharness.stop_dir, root)
        cmd = [sys.executable, os.path.join(TOOLS, "bnharness.py")]
        out = subprocess.run(cmd + ["start", root, "A", "B", "--native", "A:B"],
                             capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        lines = out.stdout.split("\n")
        info = {}
        for ln in lines:
            if not ln:
                continue
            name, *kv = ln.split()
            info[name] = dict(x.split("=") for x in kv)
        self.assertEqual(sorted(info), ["A", "B"])
        for name, d in info.items():
            pid = int(d["pid"])
            with open(os.path.join(root, name, "broker.pid")) as f:
                self.assertEqual(int(f.read()), pid)
            self.assertTrue(bnharness._is_our_java(pid, os.path.join(root, name)))
            self.assertTrue(bnharness.stomp_ping(int(d["stomp"])))
        with open(os.path.join(root, "A", "conf", "activemq.xml")) as f:
            self.assertIn("tcp://127.0.0.1:%s" % info["B"]["openwire"], f.read())
        out = subprocess.run(cmd + ["stop", root], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        for name, d in info.items():
            # not our child: it may linger as a zombie until init reaps it
            self.assertFalse(bnharness._pid_alive(int(d["pid"])))
            self.assertTrue(bnharness._port_is_free(int(d["stomp"])))
        self.passed = True


if __name__ == "__main__":
    unittest.main()
