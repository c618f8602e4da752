"""Shared fixtures for brokernet network tests: real ActiveMQ brokers (started
once per test class, since a broker takes ~1 s and 110 MB), brokernetd
sidecars per test, STOMP producers/consumers, and a metrics log.

Every process started here is stopped by PID in cleanups, also on failure.
"""

import itertools
import os
import shutil
import sys
import tempfile
import time
import unittest
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TOOLS = os.path.join(ROOT, "tools")
OUT = os.path.join(ROOT, "tests", "out")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
import bnsidecar  # noqa: E402
from bnsidecar import Sidecar, connector_xml, wait_for  # noqa: E402,F401
from stompclient import StompClient  # noqa: E402


def metric(line):
    """Appends a measured figure to tests/out/metrics.log (and prints it)."""
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "metrics.log"), "a") as f:
        f.write("%s %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), line))
    print("\n  metric: " + line, flush=True)


def receive_batch(c, limit, idle):
    """Up to limit MESSAGEs from c: the first within idle seconds, the rest
    only as far as they are already there (no added wait). [] if none came."""
    frames = []
    f = c.receive(idle)
    while f is not None:
        frames.append(f)
        if len(frames) >= limit:
            break
        f = c.receive(0.002)
    return frames


_ack_tx_ids = itertools.count()


def ack_in_tx(c, frames):
    """ACKs frames in one transaction whose COMMIT is receipted: once this
    returns, the broker has the acks on disk (KahaDB journals a COMMIT with
    a sync). A receipt per ACK costs a queue's broker a sync each (about 50
    msg/s here), and a durable topic subscription's ACK is journaled
    without a sync, receipt or not (broker_durable_ack.py). Raises when the
    connection went: then none of frames is confirmed."""
    if not frames:
        return
    tx = "acks-%d" % next(_ack_tx_ids)
    c.begin(tx)
    for f in frames:
        c.ack(f, transaction=tx)
    c.commit(tx, receipt=True)


class NetTestCase(unittest.TestCase):
    """Starts BROKERS (names) once for the class; sidecars per test."""

    BROKERS = ("A", "B")
    BROKER_OPTS = {}    # name -> extra bnharness.Broker keyword arguments

    @classmethod
    def setUpClass(cls):
        os.makedirs(OUT, exist_ok=True)
        cls.dir = tempfile.mkdtemp(prefix="net-%s-" % cls.__name__, dir=OUT)
        cls.brokers = {}
        try:
            for n in cls.BROKERS:
                cls.brokers[n] = bnharness.Broker(n, os.path.join(cls.dir, "broker-" + n),
                                                  **cls.BROKER_OPTS.get(n, {}))
            bnharness.start_all(*cls.brokers.values())
        except Exception:
            bnharness.stop_all(list(cls.brokers.values()))
            raise
        cls.failed = False

    @classmethod
    def tearDownClass(cls):
        bnharness.stop_all(list(cls.brokers.values()))
        # BN_KEEP=1 keeps the brokers' and sidecars' directories (logs)
        if not cls.failed and not os.environ.get("BN_KEEP"):
            shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.sidecars = []
        self.clients = []
        self.tdir = os.path.join(self.dir, self._testMethodName)
        os.makedirs(self.tdir, exist_ok=True)
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        for c in self.clients:
            try:
                c.close()
            except Exception:
                pass
        bad = []
        for s in self.sidecars:
            rc = s.stop()
            if rc not in (None, 0) and not getattr(s, "killed", False):
                type(self).failed = True
                bad.append("sidecar %s exited %s (a crash or a sanitizer report);"
                           " log tail:\n%s" % (s.name, rc, s.log_tail(60)))
        outcome = getattr(self, "_outcome", None)
        if outcome is not None and not getattr(outcome, "success", True):
            type(self).failed = True
            for s in self.sidecars:
                print("---- sidecar %s log tail\n%s" % (s.name, s.log_tail(60)))
        if bad:
            raise AssertionError("\n".join(bad))

    # -- helpers
    def queue(self, tag):
        return "test.%s.%s" % (tag, uuid.uuid4().hex[:8])

    def sidecar(self, name, connectors=(), broker=None, start=True, **kw):
        s = Sidecar(name, self.tdir, broker or self.brokers[name], connectors, **kw)
        self.sidecars.append(s)
        if start:
            s.start()
        return s

    def full_mesh(self, names=("A", "B", "C"), **opts):
        """Each sidecar dials every other one (duplex false); opts are the
        connectors' attributes (networkTTL=3, ...). Returns {name: sidecar}
        once every link is up."""
        sc = {n: self.sidecar(n, start=False) for n in names}
        for n in names:
            sc[n].connectors = [connector_xml("to-" + m, [sc[m].link_port], **opts)
                                for m in names if m != n]
            sc[n].write_config()
            sc[n].start()
        for n in names:
            for m in names:
                if m != n:
                    sc[n].wait_link(m)
        return sc

    def client(self, broker):
        c = StompClient()
        c.connect("127.0.0.1", self.brokers[broker].stomp_port if isinstance(broker, str)
                  else broker.stomp_port)
        self.clients.append(c)
        return c

    def consumer(self, broker, queue, prefetch=100, headers=None):
        c = self.client(broker)
        h = {"activemq.prefetchSize": str(prefetch)}
        h.update(headers or {})
        c.subscribe("/queue/" + queue, "c1", ack="client-individual", headers=h, receipt=True)
        return c

    def produce(self, broker, queue, n, persistent=True, size=1024, start=0, headers=None,
                window=200, rate=None):
        """Sends n messages (header n = start..start+n-1); rate: msg/s cap;
        persistent: a bool or a function of the message's n."""
        c = self.client(broker)
        t0 = time.monotonic()

        def hdrs(i, body):
            if rate:
                ahead = t0 + i / rate - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
            p = persistent(start + i) if callable(persistent) else persistent
            h = {"persistent": "true" if p else "false", "n": str(start + i)}
            h.update(headers or {})
            return h
        bodies = (("%08d" % (start + i)).encode() + b"x" * (size - 8) for i in range(n))
        c.send_many("/queue/" + queue, bodies, headers_fn=hdrs, window=window)
        c.disconnect()
        self.clients.remove(c)

    def collect(self, c, expect, idle=3.0, limit=60.0):
        """Receives and acks until expect messages or idle seconds of silence."""
        got = []
        deadline = time.monotonic() + limit
        while len(got) < expect and time.monotonic() < deadline:
            f = c.receive(idle)
            if f is None:
                break
            self.assertEqual(f.command, "MESSAGE", f)
            c.ack(f)
            got.append(f)
        return got

    def drain(self, broker, queue, idle=1.0):
        c = self.client(broker)
        frames = c.drain("/queue/" + queue, timeout_idle=idle)
        c.disconnect()
        self.clients.remove(c)
        return frames

    def ns(self, frames):
        return [int(f.headers["n"]) for f in frames]
