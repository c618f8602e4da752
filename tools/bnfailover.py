"""bnfailover: kill -9 the master of a master/slave pair under a sidecar that
is forwarding, and time the recovery.  Shared by tests/integration/
test_jdbc_ha.py (which asserts the counts) and tools/bench-failover.py
(which repeats it and prints the timings).

A is a master/slave pair (JDBC on a private PostgreSQL, or shared KahaDB)
with a sidecar on `failover:(stomp://master,stomp://slave)?randomize=false`;
B is a plain broker with its own sidecar; the link goes A -> B.  Both
sidecars run without dataDirectory (the shipped default).  n persistent
messages are stored on A, a consumer on B takes them, and the master is
killed once B's sidecar has stored kill_at.

Timings (seconds after the kill, wall clock):
  slave_up     the slave answers a STOMP CONNECT (polled every 5 ms)
  sidecar_up   A's sidecar logged "connected to" the slave
  first_new    B's sidecar received the first message over the link after
               the slave answered
  gap          first_new - slave_up (issue 12's target: <= 0.3 s)
Standard library only; everything started here is stopped by PID.
"""

import collections
import datetime
import os
import re
import threading
import time
import uuid

import bnharness
from bnsidecar import Sidecar, connector_xml, wait_for
from stompclient import StompClient


def _log_time(line, day):
    """Epoch seconds of a brokernetd log line ("HH:MM:SS.mmm ...")."""
    m = re.match(r"(\d\d):(\d\d):(\d\d)\.(\d\d\d) ", line)
    if not m:
        return None
    h, mi, s, ms = (int(x) for x in m.groups())
    t = datetime.datetime.combine(day, datetime.time(h, mi, s, ms * 1000))
    return t.timestamp()


def sidecar_connected_at(sidecar, uri, after):
    """Wall-clock time of the first 'connected to URI' line logged after `after`."""
    day = datetime.date.fromtimestamp(after)
    for line in sidecar.log_text().splitlines():
        if ("connected to %s " % uri) in line:
            t = _log_time(line, day)
            if t is not None and t >= after - 0.001:
                return t
    return None


class Consumer(threading.Thread):
    """Takes every message of queue q on a broker, acking each (B is never
    killed here, so an ack needs no receipt)."""

    def __init__(self, port, q, n, idle=20.0):
        super().__init__(daemon=True)
        self.c = StompClient()
        self.c.connect("127.0.0.1", port)
        self.c.subscribe("/queue/" + q, "c1", ack="client-individual",
                         headers={"activemq.prefetchSize": "100"}, receipt=True)
        self.n, self.idle = n, idle
        self.got = []
        self.times = []         # time.time() of each arrival
        self.error = None

    def run(self):
        try:
            while len(self.got) < self.n:
                f = self.c.receive(self.idle)
                if f is None:
                    return
                self.times.append(time.time())
                self.c.ack(f)
                self.got.append(int(f.headers["n"]))
        except Exception as e:  # reported by the caller
            self.error = e

    def first_after(self, t):
        """(first arrival after t, last arrival before it) or None."""
        after = [x for x in list(self.times) if x > t]
        before = [x for x in list(self.times) if x <= t]
        return (after[0] if after else None, before[-1] if before else None)

    def close(self):
        try:
            self.c.close()
        except Exception:
            pass


def _produce(port, q, n):
    c = StompClient()
    c.connect("127.0.0.1", port)
    try:
        bodies = (("%08d" % i).encode() + b"x" * 1016 for i in range(n))
        c.send_many("/queue/" + q, bodies, window=500, timeout=300,
                    headers_fn=lambda i, body: {"persistent": "true", "n": str(i)})
        c.disconnect()
    finally:
        c.close()


def _start_pair(workdir, pair, extra_xml):
    """(master, slave, pg or None) of the kind asked for."""
    d = os.path.join(workdir, "pair")
    if pair == "jdbc":
        return bnharness.start_jdbc_pair(d, name="A", extra_xml=extra_xml)
    master, slave = bnharness.start_shared_pair(d, name="A", extra_xml=extra_xml)
    return master, slave, None


def _wait_slave(slave):
    """Polls the slave's STOMP port every 5 ms (a refused try costs ~0.1 ms);
    returns the wall-clock time it answered."""
    deadline = time.monotonic() + 60
    while not bnharness.stomp_ping(slave.stomp_port, timeout=1.0):
        if time.monotonic() > deadline:
            raise TimeoutError("slave not answering 60 s after the kill")
        time.sleep(0.005)
    slave._ever_ready = True
    return time.time()


def master_kill(workdir, b_broker, pair="jdbc", n=4000, kill_at=1000, log=None,
                uri_options="randomize=false", verbose=False, native=False):
    """One run; returns a dict of counts and timings.  b_broker is a running
    plain Broker (kept); the pair and the sidecars are made and stopped here.
    native: no sidecars; both brokers of the pair have ActiveMQ's own
    networkConnector to B (the comparison); kill_at then counts messages
    consumed on B."""
    log = log or (lambda s: None)
    os.makedirs(workdir, exist_ok=True)
    pg = None
    pair_brokers = []
    sidecars = []
    cons = None
    res = {"pair": pair, "via": "native" if native else "brokernet"}
    try:
        t0 = time.monotonic()
        extra = bnharness.native_network_xml("A-to-B", b_broker) if native else ""
        master, slave, pg = _start_pair(workdir, pair, extra)
        pair_brokers = [master, slave]
        log("%s pair up in %.1f s" % (pair, time.monotonic() - t0))
        q = "test.masterkill.%s" % uuid.uuid4().hex[:8]
        if not native:
            uri = "failover:(%s,%s)?%s" % (master.stomp_uri, slave.stomp_uri, uri_options)
            sb = Sidecar("B", workdir, b_broker, data_directory=False)
            sidecars.append(sb)
            sb.start()
            sa = Sidecar("A", workdir, master, [connector_xml("to-B", [sb.link_port])],
                         broker_uri=uri, data_directory=False)
            sidecars.append(sa)
            sa.start(verbose=verbose)
            sa.wait_link("B")
            received = lambda: sb.status()["counters"]["received"]  # noqa: E731
        t0 = time.monotonic()
        _produce(master.stomp_port, q, n)
        log("%d persistent stored on the master in %.1f s" % (n, time.monotonic() - t0))
        cons = Consumer(b_broker.stomp_port, q, n)
        cons.start()
        if native:
            wait_for(lambda: len(cons.got) >= kill_at, 120, interval=0.005,
                     what="%d consumed on B" % kill_at)
        else:
            wait_for(lambda: sb.status()["counters"]["stored"] >= kill_at, 120,
                     interval=0.005, what="%d stored on B" % kill_at)
        t_kill = time.time()
        master.kill9()
        res["stored_at_kill"] = len(cons.got) if native else sb.status()["counters"]["stored"]
        t_slave = _wait_slave(slave)
        res["slave_up"] = t_slave - t_kill
        if not native:
            before = received()
            wait_for(lambda: received() > before, 60, interval=0.005,
                     what="first message at B after the failover")
            res["first_new"] = time.time() - t_kill
            res["gap"] = res["first_new"] - res["slave_up"]
        end = time.monotonic() + 300
        while cons.is_alive() and time.monotonic() < end:
            cons.join(2)
            log("  consumed %d of %d" % (len(cons.got), n))
        if cons.error is not None:
            raise cons.error
        c = collections.Counter(cons.got)
        res["distinct"] = len(c)
        res["duplicates"] = sum(v - 1 for v in c.values())
        # seen by B's consumer: the first arrival after the slave answered, and
        # how long B's consumer had been idle before it (a busy consumer would
        # still be draining what came before the kill)
        first, last = cons.first_after(t_slave)
        res["consumed_new"] = (first - t_kill) if first else None
        res["consumer_idle"] = (t_slave - last) if last else None
        if not native:
            t_sc = wait_for(lambda: sidecar_connected_at(sa, slave.stomp_uri, t_kill), 5,
                            what="A's sidecar log: connected to the slave")
            res["sidecar_up"] = t_sc - t_kill
            res["suppressed"] = sb.status()["counters"]["duplicates_suppressed"]
            res["a_current"] = sa.status()["broker"]["current"]
            res["slave_uri"] = slave.stomp_uri
        return res
    finally:
        if cons is not None:
            cons.close()
        # a non-zero exit is a crash or a sanitizer report
        res["sidecar_rc"] = {s.name: s.stop() for s in sidecars}
        bnharness.stop_all(pair_brokers)
        if pg is not None:
            pg.stop()


def describe(r):
    if r["via"] == "native":
        return ("%s pair, ActiveMQ's own network: kill -> slave answering %.3f s,"
                " -> first new message consumed at B %.3f s; gap %.3f s; %d distinct,"
                " %d duplicates" % (r["pair"], r["slave_up"], r["consumed_new"],
                                    r["consumed_new"] - r["slave_up"], r["distinct"],
                                    r["duplicates"]))
    return ("%s pair: kill -> slave answering %.3f s, -> sidecar connected %.3f s,"
            " -> first new message at B %.3f s; gap %.3f s (sidecar reconnect %.3f s,"
            " then to the first message %.3f s); %d distinct, %d duplicates,"
            " %d suppressed at B" % (
                r["pair"], r["slave_up"], r["sidecar_up"], r["first_new"], r["gap"],
                r["sidecar_up"] - r["slave_up"], r["first_new"] - r["sidecar_up"],
                r["distinct"], r["duplicates"], r["suppressed"]))
