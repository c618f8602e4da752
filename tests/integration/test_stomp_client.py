#!/usr/bin/env python3
"""Integration tests of the C STOMP client (bridge/stomp.c) through bin/bnbench
against real ActiveMQ brokers started by tools/bnharness.py, with
tools/stompclient.py as an independent peer on the wire.

    cd /work/main && make bin/bnbench && \\
    python3 -m unittest discover -s tests/integration -t . -p 'test_stomp_client.py' -v

Work dirs go to tests/out/stomp-client-*/ and are removed when a test passes
(kept with the broker logs and bnbench's stderr when it fails).  Figures go to
tests/out/stomp-client-metrics.log.  BN_BNBENCH=path runs another build (for
instance one with -fsanitize=address,undefined).
"""

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
BNBENCH = os.environ.get("BN_BNBENCH") or os.path.join(ROOT, "bin", "bnbench")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
import stompclient  # noqa: E402

HAVE_ACTIVEMQ = os.path.exists(os.path.join(bnharness.ACTIVEMQ_HOME, "bin", "activemq.jar"))
HAVE_BNBENCH = os.access(BNBENCH, os.X_OK)

# Header values that need every STOMP 1.2 escape (\c, \\, \n) on the wire.
WEIRD = {
    "bn_weird": "colon:a back\\slash new\nline \\n literal",
    "bn:name:colon": "x:y",
}

FAILOVER_OPTS = "initialReconnectDelay=100&maxReconnectDelay=1000"


def pattern(seq, size):
    """bnbench's body for seq (see the comment at the top of tools/bnbench.c)."""
    x = (seq * 2654435761 + 0x5bd1e995) & 0xffffffff
    out = bytearray(size)
    for j in range(size):
        x = (x * 1664525 + 1013904223) & 0xffffffff
        out[j] = x >> 24
    return bytes(out)


def parse_summary(text):
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            out[k] = v
    return out


def metric(line):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "stomp-client-metrics.log"), "a") as f:
        f.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), line))


@unittest.skipUnless(HAVE_ACTIVEMQ, "ActiveMQ not installed (make deps)")
@unittest.skipUnless(HAVE_BNBENCH, "bin/bnbench not built (make bin/bnbench)")
class StompClientTestCase(unittest.TestCase):

    def setUp(self):
        os.makedirs(OUT, exist_ok=True)
        self.dir = tempfile.mkdtemp(prefix="stomp-client-%s-" % self._testMethodName, dir=OUT)
        self.passed = False
        self.addCleanup(self._remove_dir)

    def _remove_dir(self):
        if self.passed:
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- resources (each one stopped by a cleanup, even on failure)
    def broker(self, name="A"):
        b = bnharness.Broker(name, os.path.join(self.dir, name))
        self.addCleanup(b.stop)
        b.start()
        return b

    def client(self, broker):
        c = stompclient.StompClient()
        self.addCleanup(c.close)
        c.connect("127.0.0.1", broker.stomp_port)
        return c

    def spawn(self, name, args):
        """bnbench as a child; stderr (progress, logs) to a file in the work dir."""
        err = open(os.path.join(self.dir, name + ".stderr"), "wb")
        self.addCleanup(err.close)
        p = subprocess.Popen([BNBENCH] + args, stdout=subprocess.PIPE, stderr=err)
        self.addCleanup(self._reap, p)
        return p

    @staticmethod
    def _reap(p):
        if p.poll() is None:
            p.kill()
        p.wait()
        if p.stdout is not None:
            p.stdout.close()

    def finish(self, name, p, timeout=60):
        """Wait for a spawned bnbench; returns (exit code, summary dict)."""
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            out, _ = p.communicate()
            self.fail("bnbench %s did not finish in %d s\n%s" % (name, timeout, self.stderr(name)))
        return p.returncode, parse_summary(out.decode())

    def bnbench(self, name, args, timeout=60):
        return self.finish(name, self.spawn(name, args), timeout)

    def stderr(self, name, lines=30):
        try:
            with open(os.path.join(self.dir, name + ".stderr"), "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    @staticmethod
    def header_args(headers):
        args = []
        for k, v in headers.items():
            args += ["--header", "%s=%s" % (k, v)]
        return args

    def assertSummary(self, name, rc, s, expect_rc=0, **want):
        ctx = "\n%s summary: %r\n%s" % (name, s, self.stderr(name))
        self.assertEqual(rc, expect_rc, "exit code" + ctx)
        for k, v in want.items():
            self.assertEqual(s.get(k), str(v), k + ctx)


class TestSingleBroker(StompClientTestCase):

    def test_run_1000_persistent_with_escaped_headers(self):
        a = self.broker()
        uri = "stomp://127.0.0.1:%d" % a.stomp_port
        rc, s = self.bnbench("run", [
            "run", "--broker", uri, "--queue", "bn.run", "--count", "1000", "--size", "1024",
            "--persistent", "--window", "100", "--prefetch", "100", "--warmup-ms", "200",
            "--timeout-s", "50"] + self.header_args(WEIRD))
        self.assertSummary("run", rc, s, count=1000, sent=1000, confirmed=1000, send_errors=0,
                           distinct=1000, missing=0, corrupt=0, other_runs=0)
        metric("run 1 broker 1000 x 1 KiB persistent window 100 prefetch 100: %s msg/s, "
               "latency p50 %s ms p99 %s ms, duplicates %s"
               % (s["msgs_per_s"], s["lat_p50_ms"], s["lat_p99_ms"], s["duplicates"]))
        # Every message was acked: nothing is left on the queue.
        self.assertEqual(stompclient.drain(a.stomp_port, "/queue/bn.run", timeout_idle=0.3), [])

        # C -> wire -> Python: what bnbench produced reads back intact.
        rc, s = self.bnbench("produce", [
            "produce", "--broker", uri, "--queue", "bn.esc", "--count", "5", "--size", "100",
            "--id-prefix", "esc", "--timeout-s", "30"] + self.header_args(WEIRD))
        self.assertSummary("produce", rc, s, confirmed=5, send_errors=0)
        frames = stompclient.drain(a.stomp_port, "/queue/bn.esc", timeout_idle=0.5)
        self.assertEqual(sorted(int(f["bnbench_seq"]) for f in frames), list(range(5)))
        now_us = time.time() * 1e6
        for f in frames:
            for k, v in WEIRD.items():
                self.assertEqual(f.headers.get(k), v, f)
            self.assertEqual(f["bnbench_run"], s["run_id"])
            self.assertTrue(f["bnbench_run"].startswith("esc-"))
            self.assertLess(abs(now_us - int(f["bnbench_ts"])), 60e6)
            self.assertEqual(f["persistent"], "true")
            self.assertEqual(f.body, pattern(int(f["bnbench_seq"]), 100))

        # Python -> wire -> C: bnbench consume checks the same headers, and
        # flags a message whose header differs (corrupt) or whose run differs.
        p = self.client(a)

        def send(seq, run="py-esc", headers=WEIRD):
            h = {"persistent": "true", "bnbench_seq": str(seq), "bnbench_run": run,
                 "bnbench_ts": str(int(time.time() * 1e6))}
            h.update(headers)
            p.send("/queue/bn.esc2", pattern(seq, 100), h)

        send(0, headers=dict(WEIRD, bn_weird=WEIRD["bn_weird"] + "!"))
        send(1, run="other-run")
        for i in range(5):
            send(i)
        p.disconnect()
        args = ["consume", "--broker", uri, "--queue", "bn.esc2", "--count", "5",
                "--size", "100", "--expect-prefix", "py-", "--timeout-s", "30"]
        rc, s = self.bnbench("consume", args + self.header_args(WEIRD))
        self.assertSummary("consume", rc, s, expect_rc=1, received=6, distinct=5,
                           duplicates=0, corrupt=1, other_runs=1)
        # Same again with good messages only: exit 0.
        p = self.client(a)
        for i in range(5):
            send(i)
        p.disconnect()
        rc, s = self.bnbench("consume2", args + ["--strict"] + self.header_args(WEIRD))
        self.assertSummary("consume2", rc, s, distinct=5, duplicates=0, corrupt=0)
        self.passed = True


    def test_run_several_producers(self):
        """--producers N: N connections share the seqs; each seq is sent once."""
        a = self.broker()
        uri = "stomp://127.0.0.1:%d" % a.stomp_port
        rc, s = self.bnbench("run4", [
            "run", "--broker", uri, "--queue", "bn.run4", "--count", "2000", "--size", "512",
            "--persistent", "--producers", "4", "--window", "50", "--prefetch", "200",
            "--warmup-ms", "200", "--timeout-s", "50"])
        self.assertSummary("run4", rc, s, count=2000, producers=4, producer_connects=4,
                           sent=2000, confirmed=2000, send_errors=0, distinct=2000,
                           missing=0, corrupt=0, duplicates=0)
        metric("run 1 broker 2000 x 512 B persistent, 4 producers window 50: %s msg/s"
               % s["msgs_per_s"])
        self.assertEqual(stompclient.drain(a.stomp_port, "/queue/bn.run4", timeout_idle=0.3), [])
        rc, s = self.bnbench("p0", ["produce", "--broker", uri, "--queue", "bn.p0",
                                    "--count", "5", "--producers", "0"])
        self.assertEqual(rc, 2, "--producers 0 is a usage error")
        self.passed = True


class TestFailover(StompClientTestCase):

    def failover_uri(self, broker):
        return "failover:(stomp://127.0.0.1:%d)?%s" % (broker.stomp_port, FAILOVER_OPTS)

    def produce_py(self, broker, dest, seqs, size, run):
        c = self.client(broker)

        def headers(i, body):
            return {"persistent": "true", "bnbench_seq": str(seqs[i]), "bnbench_run": run,
                    "bnbench_ts": str(int(time.time() * 1e6))}

        n = c.send_many(dest, [pattern(q, size) for q in seqs], headers, window=100)
        self.assertEqual(n, len(seqs))
        c.disconnect()

    def test_consumer_survives_broker_kill9(self):
        a = self.broker()
        cons = self.spawn("consume", [
            "consume", "--broker", self.failover_uri(a), "--queue", "fo.cons", "--count", "2000",
            "--size", "256", "--prefetch", "100", "--expect-prefix", "pyfo-", "--timeout-s", "50"])
        t0 = time.monotonic()
        self.produce_py(a, "/queue/fo.cons", list(range(1000)), 256, "pyfo-1")
        self.assertIsNone(cons.poll(), "consumer exited early\n" + self.stderr("consume"))
        a.kill9()
        a.restart()
        t_up = time.monotonic()
        self.produce_py(a, "/queue/fo.cons", list(range(1000, 2000)), 256, "pyfo-1")
        rc, s = self.finish("consume", cons, timeout=50)
        self.assertSummary("consume", rc, s, distinct=2000, missing=0, corrupt=0, other_runs=0)
        self.assertGreaterEqual(int(s["consumer_connects"]), 2, self.stderr("consume"))
        print("\nconsumer across kill -9: duplicates=%s redelivered=%s connects=%s"
              % (s["duplicates"], s["redelivered"], s["consumer_connects"]), file=sys.stderr)
        metric("consumer failover: 2000 distinct, %s duplicates, %s redelivered, "
               "broker back after %.1f s of %.1f s"
               % (s["duplicates"], s["redelivered"], t_up - t0, time.monotonic() - t0))
        self.passed = True

    def test_producer_resends_after_broker_kill9(self):
        a = self.broker()
        n, size = 3000, 256
        prod = self.spawn("produce", [
            "produce", "--broker", self.failover_uri(a), "--queue", "fo.prod", "--count", str(n),
            "--size", str(size), "--persistent", "--window", "100", "--rate", "600",
            "--id-prefix", "bnfo", "--timeout-s", "50"])
        time.sleep(1.5)   # ~900 of 3000 sent at 600 msg/s
        self.assertIsNone(prod.poll(), "producer finished before the kill\n" + self.stderr("produce"))
        a.kill9()
        a.restart()
        rc, s = self.finish("produce", prod, timeout=50)
        self.assertSummary("produce", rc, s, sent=n, confirmed=n, send_errors=0)
        self.assertGreaterEqual(int(s["producer_connects"]), 2, self.stderr("produce"))
        # Frames unconfirmed at the kill (resent) and those queued while the
        # broker was down all go out again from stomp.c's RETRY queue.
        self.assertGreater(int(s["replayed"]), 0, "nothing re-sent after the reconnect\n"
                           + self.stderr("produce"))
        frames = stompclient.drain(a.stomp_port, "/queue/fo.prod", timeout_idle=2.0)
        seqs = {}
        for f in frames:
            self.assertEqual(f["bnbench_run"], s["run_id"])
            q = int(f["bnbench_seq"])
            self.assertEqual(f.body, pattern(q, size), "body of seq %d" % q)
            seqs[q] = seqs.get(q, 0) + 1
        missing = sorted(set(range(n)) - set(seqs))
        self.assertEqual(missing, [], "%d seqs missing after failover" % len(missing))
        dups = sum(c - 1 for c in seqs.values())
        print("\nproducer across kill -9: resent=%s replayed=%s duplicates on the queue=%d"
              % (s["resent"], s["replayed"], dups), file=sys.stderr)
        metric("producer failover: %d/%d seqs stored, %s unconfirmed at the kill, %s replayed, "
               "%d duplicates" % (len(seqs), n, s["resent"], s["replayed"], dups))
        self.passed = True


if __name__ == "__main__":
    unittest.main()
