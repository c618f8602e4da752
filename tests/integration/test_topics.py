"""Topics across the network against real brokers, on the default
configuration: fan-out, no demand, full mesh (networkTTL 1 and 3), ring,
wildcard subscribers. Every subscriber must get every message once, in
publish order, and the network must fall quiet afterwards.
"""

import collections
import json
import time
import uuid

from netbase import NetTestCase, connector_xml, metric, wait_for


class TopicClients:
    """Topic helpers for a NetTestCase: subscribers, durable ones, publishing,
    gathering, and waiting for the network subscriptions to a topic. Other
    modules mix it in (class X(TopicClients, NetTestCase)); it is no test
    case itself, so importing it runs no test twice."""

    def topic(self, tag):
        return "test.%s.%s" % (tag, uuid.uuid4().hex[:8])

    def subscriber(self, broker, dest, prefetch=1000):
        """A non-durable subscriber to "/topic/<dest>" on broker."""
        c = self.client(broker)
        c.subscribe("/topic/" + dest, "t1", ack="client-individual",
                    headers={"activemq.prefetchSize": str(prefetch)}, receipt=True)
        return c

    def publish(self, broker, dest, n, start=0, persistent=True):
        c = self.client(broker)
        bodies = (("%08d" % (start + i)).encode() + b"x" * 248 for i in range(n))
        c.send_many("/topic/" + dest, bodies, window=200, headers_fn=lambda i, body: {
            "persistent": "true" if persistent else "false", "n": str(start + i)})
        c.disconnect()
        self.clients.remove(c)

    def gather(self, subs, expect, idle=3.0, limit=60.0):
        """Receives from every subscriber until each has expect messages or
        all were silent for idle seconds; returns {key: [n, ...]}."""
        got = collections.defaultdict(list)
        deadline = time.monotonic() + limit
        last = time.monotonic()
        while time.monotonic() < deadline:
            if all(len(got[k]) >= expect for k in subs):
                break
            moved = False
            for k, c in subs.items():
                f = c.receive(0.02)
                while f is not None:
                    self.assertEqual(f.command, "MESSAGE", f)
                    c.ack(f)
                    got[k].append(int(f.headers["n"]))
                    moved = True
                    f = c.receive(0)
            if moved:
                last = time.monotonic()
            elif time.monotonic() - last > idle:
                break
        return got

    def quiet(self, subs, seconds=1.5):
        """Nothing more arrives at any subscriber within seconds."""
        extra = self.gather(subs, 1, idle=seconds, limit=seconds + 1)
        self.assertEqual({k: v for k, v in extra.items() if v}, {}, "messages after the end")

    def topic_subs(self, sc, dest):
        return [s for s in sc.subscriptions("/topic/" + dest) if s["subscribed"]]

    def network_consumers(self, broker, dest):
        """Network subscriptions broker A has registered for a topic, as its
        consumer advisories replay them (the sidecar's "subscribed" only
        says the SUBSCRIBE was sent)."""
        c = self.client(broker)
        c.subscribe("/topic/ActiveMQ.Advisory.Consumer.Topic." + dest, "adv", ack="auto",
                    headers={"transformation": "jms-advisory-json"}, receipt=True)
        n = 0
        while True:
            f = c.receive(0.3)
            if f is None:
                break
            body = json.loads(f.body.decode())
            sel = body.get("ConsumerInfo", {}).get("selector") or ""
            n += "brokernet_marker" in sel
        c.disconnect()
        self.clients.remove(c)
        return n

    def wait_topic_subs(self, sc, dest, n):
        subs = wait_for(lambda: len(self.topic_subs(sc, dest)) == n and
                        self.topic_subs(sc, dest), 20,
                        what="%d topic subscriptions for %s on %s" % (n, dest, sc.name))
        wait_for(lambda: self.network_consumers(sc.name, dest) >= n, 20,
                 what="broker %s registered %d network subscriptions for %s"
                 % (sc.name, n, dest))
        return subs

    def durable(self, broker, dest, cid, name):
        c = self.client_with_id(broker, cid)
        c.subscribe("/topic/" + dest, "d1", ack="client-individual",
                    headers={"activemq.subscriptionName": name}, receipt=True)
        return c

    def client_with_id(self, broker, cid):
        from stompclient import StompClient
        c = StompClient()
        c.connect("127.0.0.1", self.brokers[broker].stomp_port, headers={"client-id": cid})
        self.clients.append(c)
        return c


class Topics(TopicClients, NetTestCase):
    BROKERS = ("A", "B", "C")

    # -- helpers
    def link_totals(self, scs):
        """(messages_out, messages_in) per sidecar, summed over its links."""
        out = {}
        for n, s in scs.items():
            ls = s.status()["links"]
            out[n] = (sum(l["messages_out"] for l in ls), sum(l["messages_in"] for l in ls))
        return out

    def mesh(self, ttl):
        """Each of A, B, C dials the two others (duplex false): six links."""
        return self.full_mesh(networkTTL=ttl)

    def ring(self, ttl):
        """A dials B, B dials C, C dials A (duplex false): one way round."""
        names = ("A", "B", "C")
        sc = {n: self.sidecar(n, start=False) for n in names}
        for n, m in zip(names, names[1:] + names[:1]):
            sc[n].connectors = [connector_xml("to-" + m, [sc[m].link_port], networkTTL=ttl)]
            sc[n].write_config()
        for n in names:
            sc[n].start()
        for n, m in zip(names, names[1:] + names[:1]):
            sc[n].wait_link(m)
        return sc

    def everyone_once(self, sc, ttl, tag, nsubs_wanted):
        """Subscribers on A, B, C; N published on each; each subscriber gets
        all 3N once, and each origin's messages in publish order."""
        t = self.topic(tag)
        subs = {n: self.subscriber(n, t) for n in sc}
        for n, k in nsubs_wanted.items():
            self.wait_topic_subs(sc[n], t, k)
        N = 200
        for i, n in enumerate(sorted(sc)):
            self.publish(n, t, N, start=i * N)
        got = self.gather(subs, 3 * N, idle=5)
        for n in sorted(sc):
            self.assertEqual(sorted(got[n]), list(range(3 * N)),
                             "subscriber on %s: every message once" % n)
            for i in range(3):
                mine = [x for x in got[n] if i * N <= x < (i + 1) * N]
                self.assertEqual(mine, list(range(i * N, (i + 1) * N)),
                                 "subscriber on %s: origin %d in publish order" % (n, i))
        before = self.link_totals(sc)
        self.quiet(subs)
        self.assertEqual(self.link_totals(sc), before, "the links fell quiet")
        dups = {n: sc[n].status()["counters"]["duplicates_suppressed"] for n in sc}
        metric("topics: %s ttl %d, %d published on each of 3: each subscriber got %d;"
               " link messages out %s; duplicates dropped %s"
               % (tag, ttl, N, 3 * N, {n: v[0] for n, v in before.items()}, dups))
        return before, dups

    # -- tests
    def test_fanout_each_subscriber_once_in_order(self):
        b = self.sidecar("B")
        c = self.sidecar("C")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port]),
                               connector_xml("to-C", [c.link_port])])
        a.wait_link("B")
        a.wait_link("C")
        t = self.topic("fanout")
        subs = {"A": self.subscriber("A", t), "B1": self.subscriber("B", t),
                "B2": self.subscriber("B", t), "C": self.subscriber("C", t)}
        ss = self.wait_topic_subs(a, t, 2)
        self.assertEqual(sorted(s["peer"] for s in ss), ["B", "C"])
        self.assertTrue(all(s["hops"] == 1 for s in ss), ss)
        # /status shows topics apart from queues
        ts = a.status()["topics"]
        self.assertEqual(sorted(x["peer"] for x in ts["subscriptions"] if x["topic"] == t),
                         ["B", "C"])
        self.assertEqual(sorted(r["peer"] for r in ts["demand"][t]["remote"]), ["B", "C"])
        self.assertEqual(b.status()["topics"]["demand"][t]["local"], 2)
        N = 500
        self.publish("A", t, N)
        got = self.gather(subs, N)
        for k in subs:
            self.assertEqual(got[k], list(range(N)), "subscriber %s: all, once, in order" % k)
        self.quiet(subs)
        # one copy per broker: the two subscribers on B share it
        self.assertEqual(a.link_to("B")["messages_out"], N)
        self.assertEqual(a.link_to("C")["messages_out"], N)
        self.assertEqual(b.status()["counters"]["stored"], N)
        self.assertEqual(c.status()["counters"]["stored"], N)
        f = None
        c2 = self.subscriber("B", t)
        self.publish("A", t, 1, start=N)
        f = c2.receive(10)
        self.assertIsNotNone(f, "a late subscriber on B gets what is published after it")
        self.assertEqual(f.headers["brokernet_path"], ",A,")
        self.assertEqual(f.headers["brokernet_origin"], "A")
        self.assertEqual(f.headers["persistent"], "true")
        self.assertEqual(f.headers["destination"], "/topic/" + t)

    def test_no_demand_nothing_crosses(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        t = self.topic("nodemand")
        sub = {"A": self.subscriber("A", t)}
        time.sleep(1.0)     # time for an advert that must not come
        self.assertEqual(a.subscriptions("/topic/" + t), [])
        self.publish("A", t, 100)
        self.assertEqual(self.gather(sub, 100)["A"], list(range(100)))
        self.assertEqual(a.link_to("B")["messages_out"], 0)
        self.assertEqual(b.status()["counters"]["received"], 0)
        self.assertEqual(b.status()["counters"]["stored"], 0)
        # and a subscriber that leaves takes its demand with it
        s = self.subscriber("B", t)
        self.wait_topic_subs(a, t, 1)
        s.unsubscribe("t1")
        wait_for(lambda: a.subscriptions("/topic/" + t) == [], 10,
                 what="A drops its subscription once B's subscriber left")
        self.publish("A", t, 50, start=100)
        self.assertEqual(self.gather(sub, 50)["A"], list(range(100, 150)))
        self.assertEqual(a.link_to("B")["messages_out"], 0)

    def test_full_mesh_ttl1_once(self):
        sc = self.mesh(1)
        self.everyone_once(sc, 1, "mesh1", {"A": 2, "B": 2, "C": 2})

    def test_full_mesh_ttl3_once(self):
        sc = self.mesh(3)
        out, dups = self.everyone_once(sc, 3, "mesh3", {"A": 2, "B": 2, "C": 2})
        # copies by the longer way were sent and dropped, never stored twice
        for n in sc:
            self.assertEqual(sc[n].status()["counters"]["stored"], 400,
                             "broker %s stored each message of the two others once" % n)

    def test_ring_ttl3_once(self):
        sc = self.ring(3)
        self.everyone_once(sc, 3, "ring3", {"A": 1, "B": 1, "C": 1})
        for n in sc:
            self.assertEqual(sc[n].status()["counters"]["stored"], 400)
            self.assertEqual(sc[n].status()["counters"]["duplicates_suppressed"], 0)

    def test_wildcard_subscriber(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        base = self.topic("wild")
        subs = {"wild": self.subscriber("B", base + ".>"),
                "exact": self.subscriber("B", base + ".eu")}
        self.wait_topic_subs(a, base + ".>", 1)
        self.wait_topic_subs(a, base + ".eu", 1)
        self.publish("A", base + ".eu", 100)
        self.publish("A", base + ".us.ny", 100, start=100)
        # ActiveMQ's "x.>" also matches "x" itself (measured on 5.17.2)
        self.publish("A", base, 10, start=1000)
        self.publish("A", self.topic("other"), 10, start=2000)
        got = self.gather(subs, 210, idle=3)
        self.assertEqual(got["wild"], list(range(200)) + list(range(1000, 1010)))
        self.assertEqual(got["exact"], list(range(100)))
        self.quiet(subs)
        self.assertEqual(b.status()["counters"]["stored"], 210,
                         "one copy per message on B, though two subscriptions matched")
        # the cost: one link message per matching subscription
        self.assertEqual(a.link_to("B")["messages_out"], 310)
        self.assertEqual(b.status()["counters"]["duplicates_suppressed"], 100)

    def test_wildcard_everything_never_carries_system_topics(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        every = self.client("B")
        every.subscribe("/topic/>", "all", ack="client-individual", receipt=True)
        self.wait_topic_subs(a, ">", 1)
        # advisories on A: a consumer comes and goes, a topic is made
        q = self.client("A")
        q.subscribe("/queue/" + self.queue("adv"), "x", receipt=True)
        q.unsubscribe("x")
        t = self.topic("all")
        self.publish("A", t, 20)
        got, deadline = [], time.monotonic() + 10
        while time.monotonic() < deadline:
            f = every.receive(1.0)
            if f is None and len(got) >= 20:
                break
            if f is not None:
                every.ack(f)
                if f.headers.get("brokernet_origin") == "A":
                    got.append(f.headers["destination"])
        self.assertEqual(got, ["/topic/" + t] * 20, "only the application's topic crossed")
        self.assertEqual(a.link_to("B")["messages_out"], 20)
        self.assertEqual(b.status()["counters"]["link_errors"], 0)
        self.assertEqual(b.status()["counters"]["links_accepted"], 1, "the link never dropped")

    def test_durable_offline_gets_everything_once(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        t = self.topic("durable")
        cid = "dur-" + uuid.uuid4().hex[:6]
        d = self.durable("B", t, cid, "s1")
        self.wait_topic_subs(a, t, 1)
        self.publish("A", t, 50)
        self.assertEqual(self.gather({"d": d}, 50)["d"], list(range(50)))
        d.disconnect()
        self.clients.remove(d)
        time.sleep(1.0)     # the RemoveInfo has come and gone
        self.assertEqual(len(self.topic_subs(a, t)), 1,
                         "an offline durable subscription stays demand (dynamicOnly=false)")
        self.publish("A", t, 300, start=50)
        wait_for(lambda: b.status()["counters"]["stored"] == 350, 20,
                 what="B stored the 300 published while the subscriber was away")
        d = self.durable("B", t, cid, "s1")
        got = self.gather({"d": d}, 300)
        self.assertEqual(got["d"], list(range(50, 350)), "all, once, in order")
        self.quiet({"d": d})
        # deleting the subscription takes the demand away
        d.unsubscribe("d1")
        d.disconnect()
        self.clients.remove(d)
        u = self.client_with_id("B", cid)
        from stompclient import encode_frame
        u._write(encode_frame("UNSUBSCRIBE", [("id", "x"), ("activemq.subscriptionName", "s1")]))
        wait_for(lambda: a.subscriptions("/topic/" + t) == [], 10,
                 what="A drops its subscription once the durable one is deleted")

    def test_headers_and_bodies_intact(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        t = self.topic("fidelity")
        local = self.subscriber("A", t)
        remote = self.subscriber("B", t)
        self.wait_topic_subs(a, t, 1)
        p = self.client("A")
        sent = []
        for i in range(60):
            body = bytes((i * 7 + k) % 256 for k in range(i * 37)) + b"\x00end"
            h = {"n": str(i), "persistent": "true" if i % 2 else "false",
                 "k:colon": "v:1\\2", "line": "a\nb", "correlation-id": "corr-%d" % i,
                 "type": "T%d" % i, "priority": str(i % 10), "content-type": "application/x-%d" % i}
            p.send("/topic/" + t, body, headers=h)
            sent.append((h, body))
        got = self.gather({"local": local, "remote": remote}, 60)
        self.assertEqual(got["remote"], list(range(60)))
        # again, and this time compare each copy on B with the original as
        # A's own subscriber got it
        for i, (h, body) in enumerate(sent):
            p.send("/topic/" + t, body, headers=dict(h, n=str(100 + i)))
        frames = {"local": [], "remote": []}
        deadline = time.monotonic() + 20
        while min(len(v) for v in frames.values()) < 60 and time.monotonic() < deadline:
            for k, c in (("local", local), ("remote", remote)):
                f = c.receive(0.1)
                if f is not None:
                    c.ack(f)
                    frames[k].append(f)
        self.assertEqual([len(v) for v in frames.values()], [60, 60])
        per_delivery = {"message-id", "ack", "subscription"}
        for lf, rf in zip(frames["local"], frames["remote"]):
            self.assertEqual(rf.body, lf.body, "body of %s" % lf.headers["n"])
            lh = {k: v for k, v in lf.headers.items() if k not in per_delivery}
            rh = {k: v for k, v in rf.headers.items() if k not in per_delivery and
                  not k.startswith("brokernet_")}
            self.assertEqual(rh, lh, "headers of %s" % lf.headers["n"])
            self.assertEqual(rf.headers["brokernet_origin"], "A")
            self.assertEqual(rf.headers["brokernet_origin_id"], lf.headers["message-id"])

    def test_topic_filters(self):
        """<topic physicalName> in the dynamic and excluded lists; a dynamic
        list of topics only admits no queue (ActiveMQ's rule)."""
        base = self.topic("filt")
        b = self.sidecar("B")
        xml = ('<networkConnector name="to-B" uri="static:(tcp://127.0.0.1:%d)?'
               'initialReconnectDelay=200&amp;maxReconnectDelay=1000">'
               '<dynamicallyIncludedDestinations><topic physicalName="%s.in.>"/>'
               '</dynamicallyIncludedDestinations><excludedDestinations>'
               '<topic physicalName="%s.in.secret"/></excludedDestinations>'
               '</networkConnector>' % (b.link_port, base, base))
        a = self.sidecar("A", [xml])
        a.wait_link("B")
        names = {"in": base + ".in.x", "secret": base + ".in.secret", "out": base + ".out"}
        subs = {k: self.subscriber("B", v) for k, v in names.items()}
        q = self.queue("filtq")
        qc = self.consumer("B", q)
        self.wait_topic_subs(a, names["in"], 1)
        time.sleep(1.0)     # time for adverts that must not come
        self.assertEqual(a.subscriptions("/topic/" + names["secret"]), [])
        self.assertEqual(a.subscriptions("/topic/" + names["out"]), [])
        self.assertEqual(a.subscriptions(q), [], "a list of topics only admits no queue")
        self.assertNotIn("/topic/" + names["secret"], a.link_to("B")["remote_demand"],
                         "B does not advertise what A's connector excludes")
        for i, k in enumerate(("in", "secret", "out")):
            self.publish("A", names[k], 20, start=100 * i)
        got = self.gather(subs, 20, idle=2)
        self.assertEqual(got["in"], list(range(20)))
        self.assertEqual(got["secret"], [])
        self.assertEqual(got["out"], [])
        self.assertEqual(a.link_to("B")["messages_out"], 20)
        self.assertEqual(self.collect(qc, 1, idle=0.5), [])

    def test_durable_offline_dynamic_only_not_forwarded(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], dynamicOnly=True)])
        a.wait_link("B")
        t = self.topic("dynonly")
        cid = "dyn-" + uuid.uuid4().hex[:6]
        d = self.durable("B", t, cid, "s1")
        self.wait_topic_subs(a, t, 1)
        self.publish("A", t, 20)
        self.assertEqual(self.gather({"d": d}, 20)["d"], list(range(20)))
        d.disconnect()
        self.clients.remove(d)
        wait_for(lambda: a.subscriptions("/topic/" + t) == [], 10,
                 what="dynamicOnly: an offline durable subscriber is no demand")
        self.publish("A", t, 100, start=20)
        d = self.durable("B", t, cid, "s1")
        self.wait_topic_subs(a, t, 1)
        self.publish("A", t, 10, start=120)
        got = self.gather({"d": d}, 10)
        self.assertEqual(got["d"], list(range(120, 130)),
                         "what was published while it was away stayed away")
        self.assertEqual(a.link_to("B")["messages_out"], 30)
