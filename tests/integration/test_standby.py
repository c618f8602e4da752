"""One active sidecar per broker, any number of standbys (DESIGN.md), on the
shipped defaults (no dataDirectory, default heart-beats and back-off).

Broker A has two sidecars, A1 and A2, with the same name and broker URI; the
lock that makes one of them active lives on the broker. A standby opens no
listener and dials nothing. kill -9 or SIGTERM of the active one hands over
to the standby, and every message arrives exactly once. Sidecars of another
network on the same broker never count each other's network subscriptions
as demand."""

import os
import socket
import threading
import time
import unittest

from netbase import NetTestCase, metric, wait_for
import bnharness  # noqa: E402 (netbase puts tools/ on the path)
from bnsidecar import Sidecar, connector_xml
from test_ha import distinct_and_dups

RUNS = int(os.environ.get("BN_STANDBY_RUNS", "1"))


def default_connector(name, ports):
    return connector_xml(name, list(ports), uri="static:(%s)" % ",".join(
        "tcp://127.0.0.1:%d" % p for p in ports))


def refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True


class Standby(NetTestCase):
    BROKERS = ("A", "B", "C")

    def side(self, name, sub, broker, connectors=(), start=True, role="active"):
        d = os.path.join(self.tdir, sub)
        os.makedirs(d, exist_ok=True)
        s = Sidecar(name, d, self.brokers[broker], connectors, heartbeat=None)
        self.sidecars.append(s)
        if start:
            s.start(role=role)
        return s

    def pair(self):
        """B, then A1 (active) and A2 (standby) beside broker A."""
        b = self.side("B", "b", "B")
        a1 = self.side("A", "a1", "A", [default_connector("to-B", [b.link_port])])
        wait_for(lambda: a1.status()["role"] == "active", 10, what="A1 active")
        a2 = self.side("A", "a2", "A", [default_connector("to-B", [b.link_port])],
                       role="standby")
        a1.wait_link("B")
        return a1, a2, b

    def test_roles_standby_listens_and_dials_nothing(self):
        a1, a2, b = self.pair()
        time.sleep(1.5)
        self.assertEqual(a1.status()["role"], "active")
        st = a2.status()
        self.assertEqual(st["role"], "standby")
        self.assertEqual(st["links"], [])
        self.assertTrue(refused(a2.link_port), "a standby must not listen")
        self.assertFalse(refused(a1.link_port))
        self.assertIn("brokernet_role_active 0", a2.metrics())
        self.assertIn("brokernet_role_active 1", a1.metrics())
        # B sees exactly one link from A: the active one's
        self.assertEqual([l["peer"] for l in b.links_up()], ["A"])

    def takeover(self, how):
        a1, a2, b = self.pair()
        q = self.queue("standby")
        cons = self.consumer("B", q, prefetch=100)
        a1.wait_subscription(q)
        N = 3000
        errors, delivered = [], []

        def producer():
            try:
                self.produce("A", q, N, window=200, rate=1500)
            except Exception as e:      # reported below
                errors.append(e)

        def consumer():
            idle = time.monotonic()
            while len(delivered) < N and time.monotonic() - idle < 20:
                f = cons.receive(1.0)
                if f is None:
                    continue
                idle = time.monotonic()
                # broker B stays up: every ACK written is processed in
                # order, no receipt needed (a receipt per message made this
                # consumer the slowest part of the test)
                cons.ack(f)
                delivered.append(int(f.headers["n"]))
        pt = threading.Thread(target=producer, daemon=True)
        ct = threading.Thread(target=consumer, daemon=True)
        pt.start()
        ct.start()
        wait_for(lambda: b.status()["counters"]["stored"] >= 1000, 60, interval=0.005,
                 what="1000 forwarded")
        stored0 = b.status()["counters"]["stored"]
        t0 = time.monotonic()
        if how == "kill":
            a1.kill9()
            a1.killed = True
        else:
            a1.proc.send_signal(15)
        wait_for(lambda: a2.status()["role"] == "active", 10, interval=0.005,
                 what="A2 active")
        t_active = time.monotonic() - t0
        wait_for(lambda: b.status()["counters"]["stored"] > stored0 or
                 len(delivered) >= N, 30, interval=0.005, what="forwarding again")
        t_flow = time.monotonic() - t0
        pt.join(60)
        ct.join(90)
        if how == "term":
            self.assertEqual(a1.proc.wait(10), 0, "SIGTERM exits 0")
        self.assertEqual(errors, [])
        d, dups = distinct_and_dups(delivered)
        metric("standby takeover (%s of the active sidecar, defaults): A2 active after %.3f s,"
               " forwarding again after %.3f s; %d persistent A->B: %d distinct, %d duplicates"
               % (how, t_active, t_flow, N, d, dups))
        self.assertEqual((d, dups), (N, 0))
        return t_active, t_flow

    def test_kill9_active_standby_takes_over(self):
        times = []
        for i in range(RUNS):
            if i:
                self._cleanup()
                self.sidecars, self.clients = [], []
                self.tdir = os.path.join(self.dir, "%s-%d" % (self._testMethodName, i))
                os.makedirs(self.tdir, exist_ok=True)
            times.append(self.takeover("kill"))
        if RUNS > 1:
            act = sorted(t[0] for t in times)
            flow = sorted(t[1] for t in times)
            metric("standby takeover over %d runs: active after min %.3f median %.3f max %.3f s;"
                   " forwarding after min %.3f median %.3f max %.3f s"
                   % (RUNS, act[0], act[len(act) // 2], act[-1],
                      flow[0], flow[len(flow) // 2], flow[-1]))

    def test_sigterm_active_hands_over(self):
        self.takeover("term")

    def test_other_network_subscriptions_are_not_demand(self):
        """Sidecar B (network 1, linked to A) and sidecar Y (network 2,
        linked to C) both run beside broker B. A consumer on A makes B's
        sidecar subscribe on broker B; Y must not take that subscription
        for demand, so nothing produced on C leaves C."""
        a = self.side("A", "a", "A")
        b = self.side("B", "b", "B", [default_connector("to-A", [a.link_port])])
        b.wait_link("A")
        c = self.side("C", "c", "C")
        # duplex: C forwards to Y whatever demand Y advertises
        y = self.side("Y", "y", "B", [connector_xml(
            "to-C", [c.link_port], uri="static:(tcp://127.0.0.1:%d)" % c.link_port,
            duplex=True)])
        y.wait_link("C")
        q = self.queue("otherwork")
        # demand on A: B's sidecar subscribes on broker B to forward to A
        self.consumer("A", q, prefetch=10)
        b.wait_subscription(q)
        time.sleep(2.0)
        ydemand = y.status()["local_demand"]
        self.assertNotIn(q, ydemand, "Y counted another network's subscription as demand")
        self.produce("C", q, 20)
        time.sleep(2.0)
        self.assertEqual(c.status()["counters"]["forwarded"], 0)
        left = self.drain("C", q)
        self.assertEqual(len(left), 20)


class CombinedDeployment(NetTestCase):
    """The seeds' combined deployment: A is a master/slave pair on one
    KahaDB with a sidecar per instance, each on
    failover:(stomp://master,stomp://slave)?randomize=false, in a network
    with B. kill -9 the master broker after about 1,000 of 4,000, then the
    active sidecar after about 2,500: every message arrives once."""
    BROKERS = ("B",)

    def deployment(self):
        """The pair, B's sidecar, and a sidecar per instance of the pair."""
        pair_dir = os.path.join(self.tdir, "pair")
        master, slave = bnharness.start_shared_pair(pair_dir, name="A")
        self.addCleanup(bnharness.stop_all, [master, slave])
        uri = ("failover:(stomp://127.0.0.1:%d,stomp://127.0.0.1:%d)?randomize=false"
               % (master.stomp_port, slave.stomp_port))
        b = Sidecar("B", os.path.join(self.tdir, "b"), self.brokers["B"], heartbeat=None)
        self.sidecars.append(b)
        b.start()
        side = []
        for host in ("host1", "host2"):
            d = os.path.join(self.tdir, host)
            os.makedirs(d, exist_ok=True)
            s = Sidecar("A", d, master, [default_connector("to-B", [b.link_port])],
                        broker_uri=uri, heartbeat=None)
            self.sidecars.append(s)
            s.start(role=None)      # one of the two is the standby
            side.append(s)
        return master, slave, b, side

    def active(self, side):
        act = [s for s in side if s.running() and s.status()["role"] == "active"]
        return act[0] if len(act) == 1 else None

    def consume_all(self, q, N):
        """A consumer thread on B; returns (delivered list, stop event)."""
        cons = self.consumer("B", q, prefetch=100)
        delivered = []
        done = threading.Event()

        def consumer():
            while len(delivered) < N and not done.is_set():
                f = cons.receive(1.0)
                if f is not None:
                    cons.ack(f)     # broker B stays up: no receipt needed
                    delivered.append(int(f.headers["n"]))
        ct = threading.Thread(target=consumer, daemon=True)
        ct.start()
        return delivered, done, ct

    def finish(self, delivered, done, ct, N):
        """Waits for all N on B, then a little longer (a duplicate would show
        then); stops the consumer; returns (distinct, duplicates)."""
        wait_for(lambda: len(delivered) >= N, 120, interval=0.05, what="all delivered on B")
        time.sleep(2.0)
        done.set()
        ct.join(5)
        return distinct_and_dups(delivered)

    def test_master_kill_then_active_sidecar_kill(self):
        master, slave, b, side = self.deployment()

        def active():
            return self.active(side)
        a = wait_for(active, 10, what="one active sidecar for A")
        a.wait_link("B")
        q = self.queue("combined")
        N = 4000
        self.produce(master, q, N, window=500)
        delivered, done, ct = self.consume_all(q, N)

        def stored():
            return b.status()["counters"]["stored"]

        def flowing_after(before, t0, limit=60):
            wait_for(lambda: stored() > before, limit, interval=0.005,
                     what="forwarding again")
            return time.monotonic() - t0
        wait_for(lambda: stored() >= 1000, 60, interval=0.005, what="1000 stored on B")
        s0 = stored()
        master.kill9()
        t0 = time.monotonic()
        slave.wait_ready(60)
        t_slave = time.monotonic() - t0
        t_master = flowing_after(s0, t0)
        wait_for(lambda: stored() >= 2500, 90, interval=0.005, what="2500 stored on B")
        victim = wait_for(active, 10, what="one active sidecar")
        s1 = stored()
        victim.kill9()
        victim.killed = True
        t1 = time.monotonic()
        survivor = [s for s in side if s is not victim][0]
        wait_for(lambda: survivor.status()["role"] == "active", 10, interval=0.005,
                 what="the other sidecar active")
        t_active = time.monotonic() - t1
        t_sidecar = flowing_after(s1, t1)
        d, dups = self.finish(delivered, done, ct, N)
        metric("combined deployment (KahaDB pair, a sidecar per instance, defaults): %d"
               " persistent A->B; master kill: slave answered after %.2f s, forwarding"
               " again after %.2f s; active sidecar kill: standby active after %.3f s,"
               " forwarding again after %.3f s; %d distinct, %d duplicates"
               % (N, t_slave, t_master, t_active, t_sidecar, d, dups))
        self.assertEqual((d, dups), (N, 0))

    def test_host_dies_master_and_active_sidecar_at_once(self):
        """The host of the master broker and of the active sidecar dies: both
        are killed at once; the slave and the other sidecar carry on."""
        master, slave, b, side = self.deployment()
        a = wait_for(lambda: self.active(side), 10, what="one active sidecar for A")
        a.wait_link("B")
        host1 = side[0] if a is side[0] else side[1]
        q = self.queue("hostdies")
        N = 4000
        self.produce(master, q, N, window=500)
        delivered, done, ct = self.consume_all(q, N)
        wait_for(lambda: b.status()["counters"]["stored"] >= 1500, 60, interval=0.005,
                 what="1500 stored on B")
        s0 = b.status()["counters"]["stored"]
        master.kill9()
        host1.kill9()
        host1.killed = True
        t0 = time.monotonic()
        survivor = [s for s in side if s is not host1][0]
        slave.wait_ready(60)
        t_slave = time.monotonic() - t0
        wait_for(lambda: survivor.status()["role"] == "active", 60, interval=0.005,
                 what="the other sidecar active")
        t_active = time.monotonic() - t0
        wait_for(lambda: b.status()["counters"]["stored"] > s0 or len(delivered) >= N, 60,
                 interval=0.005, what="forwarding again")
        t_flow = time.monotonic() - t0
        d, dups = self.finish(delivered, done, ct, N)
        metric("host dies (master broker and active sidecar killed at once, defaults): %d"
               " persistent A->B; slave answered after %.2f s, the other sidecar active"
               " after %.2f s, forwarding again after %.2f s; %d distinct, %d duplicates"
               % (N, t_slave, t_active, t_flow, d, dups))
        self.assertEqual((d, dups), (N, 0))


if __name__ == "__main__":
    unittest.main()
