"""Multi-hop networks against real brokers: TTLs, loops, rings, meshes,
stranded messages (replay), duplicates across faults, demand propagation.
"""

import collections
import threading
import time
import unittest

from netbase import NetTestCase, ack_in_tx, connector_xml, metric, receive_batch, wait_for


def distinct_and_dups(ns):
    c = collections.Counter(ns)
    return len(c), sum(v - 1 for v in c.values())


class MultiHop(NetTestCase):
    BROKERS = ("A", "B", "C", "D")

    def chain(self, ttl, names=("A", "B", "C")):
        """names[0] dials names[1] dials names[2] ...; returns sidecars by name."""
        sc = {}
        prev = None
        for n in reversed(names):
            conns = [connector_xml("to-" + prev, [sc[prev].link_port], networkTTL=ttl)] \
                if prev else []
            sc[n] = self.sidecar(n, conns)
            prev = n
        for a, b in zip(names, names[1:]):
            sc[a].wait_link(b)
        return sc

    def test_chain_ttl1_nothing_reaches_c(self):
        sc = self.chain(1)
        q = self.queue("ttl1")
        cons = self.consumer("C", q)
        sc["B"].wait_subscription(q)
        time.sleep(1.5)
        self.assertEqual(sc["A"].subscriptions(q), [], "TTL 1: A must not learn C's demand")
        self.produce("A", q, 50)
        self.assertEqual(self.collect(cons, 1, idle=2.0), [])
        cons.unsubscribe("c1")
        self.assertEqual(len(self.drain("A", q)), 50)

    def test_chain_ttl2_exactly_all(self):
        sc = self.chain(2)
        q = self.queue("ttl2")
        cons = self.consumer("C", q)
        subs = sc["A"].wait_subscription(q)
        self.assertEqual(subs[0]["hops"], 2)
        self.assertEqual(subs[0]["priority"], -8, "ActiveMQ's rule: two hops -> -8")
        self.produce("A", q, 500)
        got = self.collect(cons, 500, idle=5)
        self.assertEqual(sorted(self.ns(got)), list(range(500)))
        self.assertEqual(got[0].headers["brokernet_path"], ",A,B,")
        self.assertEqual(got[0].headers["brokernet_hops"], "2")
        self.assertEqual(self.collect(cons, 1, idle=1.0), [], "no duplicates")

    def test_demand_propagation_3_hops(self):
        sc = self.chain(3, ("A", "B", "C", "D"))
        q = self.queue("prop")
        t0 = time.monotonic()
        self.consumer("D", q)
        subs = sc["A"].wait_subscription(q)
        dt = time.monotonic() - t0
        metric("demand propagation over 3 hops (consumer on D -> subscription on A):"
               " %.0f ms" % (dt * 1000))
        self.assertEqual(subs[0]["hops"], 3)
        self.assertEqual(subs[0]["priority"], -9)

    def test_fan_in_each_once(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        c = self.sidecar("C", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        c.wait_link("B")
        q = self.queue("fanin")
        cons = self.consumer("B", q, prefetch=200)
        a.wait_subscription(q)
        c.wait_subscription(q)
        self.produce("A", q, 300)
        self.produce("C", q, 300, start=300)
        got = self.collect(cons, 600, idle=5)
        self.assertEqual(sorted(self.ns(got)), list(range(600)))

    def test_full_mesh_3_exact(self):
        names = ("A", "B", "C")
        sc = self.full_mesh(names)
        q = self.queue("mesh")
        cons = {n: self.consumer(n, q, prefetch=50) for n in names}
        for n in names:
            wait_for(lambda n=n: len([s for s in sc[n].subscriptions(q) if s["subscribed"]]) == 2,
                     15, what="two subscriptions on " + n)
        N = 200
        for i, n in enumerate(names):
            self.produce(n, q, N, start=i * N)
        got = collections.defaultdict(list)
        deadline = time.monotonic() + 60
        while sum(len(v) for v in got.values()) < 3 * N and time.monotonic() < deadline:
            for n, c in cons.items():
                f = c.receive(0.05)
                while f is not None:
                    c.ack(f)
                    got[n].append(int(f.headers["n"]))
                    f = c.receive(0)
        all_ns = [x for v in got.values() for x in v]
        metric("full mesh of 3, %d to each: consumed A %d, B %d, C %d"
               % (N, len(got["A"]), len(got["B"]), len(got["C"])))
        self.assertEqual(distinct_and_dups(all_ns), (3 * N, 0))
        self.assertEqual(sorted(all_ns), list(range(3 * N)))

    def test_ring_of_3_ttl3_no_circulation(self):
        sc = {n: self.sidecar(n, start=False) for n in ("A", "B", "C")}
        for n, m in (("A", "B"), ("B", "C"), ("C", "A")):
            sc[n].connectors = [connector_xml("to-" + m, [sc[m].link_port], networkTTL=3)]
            sc[n].write_config()
            sc[n].start()
        for n, m in (("A", "B"), ("B", "C"), ("C", "A")):
            sc[n].wait_link(m)
        q = self.queue("ring")
        cons = self.consumer("C", q, prefetch=100)
        sc["A"].wait_subscription(q)
        sc["B"].wait_subscription(q)
        self.produce("A", q, 300)
        self.produce("B", q, 300, start=300)
        self.produce("C", q, 300, start=600)
        got = self.collect(cons, 900, idle=5)
        self.assertEqual(distinct_and_dups(self.ns(got)), (900, 0))

        def fwd_total():
            return sum(sc[n].status()["counters"]["forwarded"] for n in sc)
        before = fwd_total()
        time.sleep(2.0)
        after = fwd_total()
        metric("ring of 3 (TTL 3): %d forwards for 900 messages; %d more after 2 s idle"
               % (after, after - before))
        self.assertEqual(after, before, "nothing circulates after the run")
        # A's messages take two hops to C, B's one, C's none
        self.assertEqual(after, 300 * 2 + 300)

    def test_consumer_moves_no_stranding_no_pingpong(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], duplex=True)])
        a.wait_link("B")
        q = self.queue("moves")
        slow = self.consumer("B", q, prefetch=5)
        a.wait_subscription(q)
        N = 300
        self.produce("A", q, N)
        # messages move to B (the network prefetch is 1000); the slow consumer
        # takes part of them and leaves
        first = self.collect(slow, 60, idle=5)
        wait_for(lambda: b.status()["counters"]["stored"] >= 100, 20,
                 what="part of the stream on B")
        slow.close()
        self.clients.remove(slow)
        on_a = self.consumer("A", q, prefetch=50)
        rest = self.collect(on_a, N - len(first), idle=6, limit=60)
        ns = self.ns(first) + self.ns(rest)
        metric("consumer moves B->A: %d consumed on B, %d on A (of which replayed back"
               " from B: %d)" % (len(first), len(rest),
                                 b.status()["counters"]["forwarded"]))
        self.assertEqual(distinct_and_dups(ns), (N, 0))
        self.assertGreater(b.status()["counters"]["forwarded"], 0,
                           "stranded messages on B moved back to A")
        on_a.unsubscribe("c1")
        time.sleep(1.0)
        self.assertEqual(self.drain("B", q, idle=1.5), [], "nothing left on B (no ping-pong)")

    def kill_during_stream(self, victim):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        q = self.queue("fault-" + victim)
        cons = self.consumer("B", q, prefetch=100)
        a.wait_subscription(q)
        N = 2000
        self.produce("A", q, N, window=500)
        got = self.collect(cons, 600, idle=5)
        s = {"A": a, "B": b}[victim]
        s.kill9()
        s.killed = True
        s.start()
        a.wait_link("B")
        got += self.collect(cons, N, idle=6, limit=90)
        ns = self.ns(got)
        d, dups = distinct_and_dups(ns)
        metric("kill -9 of %s's sidecar during %d persistent: %d distinct, %d duplicates"
               " delivered; receiver suppressed %d" % (victim, N, d, dups,
                                                       b.status()["counters"]["duplicates_suppressed"]))
        self.assertEqual((d, dups), (N, 0))

    def test_kill9_sending_sidecar_exactly_once(self):
        self.kill_during_stream("A")

    def test_kill9_receiving_sidecar_exactly_once(self):
        self.kill_during_stream("B")

    def test_kill9_destination_broker_exactly_once(self):
        """The broker behind the receiving sidecar dies mid-stream and comes
        back on its data: every message once. The consumer acks with a
        receipt, so a message counts as delivered only when its ack was
        confirmed; a broker redelivery of an unconfirmed one is not a
        duplicate."""
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        q = self.queue("brokerkill")
        cons = self.consumer("B", q, prefetch=50)
        a.wait_subscription(q)
        N = 2000
        # keep A forwarding while B's broker dies: a producer thread
        errors = []

        def producer():
            try:
                self.produce("A", q, N, window=20, rate=150)
            except Exception as e:      # reported below
                errors.append(e)
        th = threading.Thread(target=producer, daemon=True)
        th.start()
        delivered = []

        def take(c, want, idle):
            while len(delivered) < want:
                frames = receive_batch(c, min(50, want - len(delivered)), idle)
                if not frames:
                    return
                ack_in_tx(c, frames)
                delivered.extend(int(f.headers["n"]) for f in frames)
        take(cons, 300, 5)
        broker = self.brokers["B"]
        # kill while stores are on the wire, so some sends are in doubt
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and \
                b.status()["broker"]["store_inflight"] == 0:
            time.sleep(0.001)
        broker.kill9()
        t0 = time.monotonic()
        broker.restart()
        wait_for(lambda: b.status()["broker"]["state"] == "connected", 60,
                 what="B's sidecar back on its broker")
        back = time.monotonic() - t0
        self.clients.remove(cons)
        cons.close()
        cons = self.consumer("B", q, prefetch=50)
        take(cons, N, 8)
        th.join(60)
        self.assertEqual(errors, [], "the producer on A must not fail")
        d, dups = distinct_and_dups(delivered)
        st = b.status()["counters"]
        metric("kill -9 of the destination broker during %d persistent: %d distinct, %d"
               " duplicates delivered; sidecar back %.1f s after restart began;"
               " in doubt: %d found stored, %d resent"
               % (N, d, dups, back, st["doubt_found_stored"], st["doubt_resent"]))
        self.assertEqual((d, dups), (N, 0))

    def test_two_links_same_pair_and_self_link(self):
        a = self.sidecar("A", start=False)
        b = self.sidecar("B")
        a.connectors = [connector_xml("one", [b.link_port]), connector_xml("two", [b.link_port]),
                        connector_xml("self", [a.link_port])]
        a.write_config()
        a.start()
        wait_for(lambda: len(a.links_up()) == 2, 15, what="two links A->B")
        wait_for(lambda: [c for c in a.status()["connectors"] if c["name"] == "self"
                          and c["state"] == "refused"], 10, what="self connector refused")
        why = [c for c in a.status()["connectors"] if c["name"] == "self"][0]["last_error"]
        self.assertIn("loop", why)
        q = self.queue("twolinks")
        cons = self.consumer("B", q)
        wait_for(lambda: len([s for s in a.subscriptions(q) if s["subscribed"]]) == 2, 15,
                 what="a subscription per link")
        self.produce("A", q, 400)
        got = self.collect(cons, 400, idle=5)
        self.assertEqual(distinct_and_dups(self.ns(got)), (400, 0))


if __name__ == "__main__":
    unittest.main()
