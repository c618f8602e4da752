"""JMS applications across the network (issue 19, DESIGN.md "Transparent to
applications"): ActiveMQ's own JMS client (tests/integration/jms/JmsCheck.java)
produces on broker A and consumes on broker B through two sidecars, A -> B, on
the shipped defaults apart from the broker URI.

- over tcp:// (the OpenWire session): every message class, persistent and
  not, every property type, every JMS header, JMSMessageID included, arrive
  with 0 differences; a requester on A and a replier on B that answers with
  the request's JMSMessageID as JMSCorrelationID match every reply;
- over stomp:// with an OpenWire peer (mixed): a sidecar on tcp:// forwards
  to a peer on stomp:// only what STOMP carries unchanged; the rest is
  dead-lettered on A (ActiveMQ.DLQ), counted in /status and /metrics, never
  delivered changed; with <broker unfaithful="keep"> it stays on A's queue
  instead, whole, for A's own consumers and for peers on tcp:// (C), and
  the link to the stomp:// peer never takes it again;
- over stomp:// on both sides: exactly the changes README "Over stomp://"
  lists (STOMP_CHANGES), nothing else.

    cd tests/integration && python3 -m unittest -v test_jms_network
"""

import os
import re
import subprocess
import time
import unittest
import uuid

import netbase
from netbase import NetTestCase, connector_xml, metric, wait_for
from test_openwire_codec import CLASSPATH, JAVA, JAVAC, JMS_SRC, COUNT
from test_topics import TopicClients


# What a JMS message loses over two stomp:// sessions, per field, for the
# 12 messages of JmsCheck (two each of Text, Bytes, Map, Object, Stream and
# plain Message, each with 8 typed properties), as README "Over stomp://"
# lists it.
STOMP_CHANGES = {
    # a new JMSMessageID on B for every message
    "JMSMessageID": 12,
    # Map, Object, Stream and plain Message arrive as TextMessage ...
    "class": 8,
    # ... Map, Object and Stream with an empty body
    "body": 6,
    # every Text-received message carries the STOMP type marker
    "prop.amq-msg-type": 10,
    # every typed property arrives as a String
    "prop.index": 12, "prop.pBool": 12, "prop.pByte": 12,
    "prop.pDouble": 12, "prop.pFloat": 12, "prop.pInt": 12,
    "prop.pLong": 12, "prop.pShort": 12,
}


# The same for the 4 Text and Bytes messages, the only ones that cross two
# stomp:// sessions on the defaults (stompEmptyBody="deadLetter").
STOMP_CHANGES_TEXT_BYTES = {
    "JMSMessageID": 4, "prop.amq-msg-type": 2,
    "prop.index": 4, "prop.pBool": 4, "prop.pByte": 4, "prop.pDouble": 4,
    "prop.pFloat": 4, "prop.pInt": 4, "prop.pLong": 4, "prop.pShort": 4,
}

# What ActiveMQ's own dead-lettering changes on the 4 persistent ones of the
# 8 that a stomp:// sidecar NACKs (README "Over stomp://"): the expiration
# is moved to a property (each of them has one). The 4 non-persistent ones
# its default dead-letter strategy discards (processNonPersistent false).
DLQ_CHANGES = {"JMSExpiration": 4, "prop.originalExpiration": 4}


def openwire_uri(broker):
    return "tcp://127.0.0.1:%d" % broker.openwire_port


def stomp_uri(broker):
    return "stomp://127.0.0.1:%d" % broker.stomp_port


# ActiveMQ's own authorization on A: the sidecars' user "net" may do
# anything but write to ActiveMQ.DLQ; anonymous clients (the tests' own) may
# do anything. (An authorization map grants the union of every entry that
# matches, so "ActiveMQ.DLQ" is left out of the queue entries for "net".)
NO_DLQ_FOR_NET = """<plugins>
      <simpleAuthenticationPlugin anonymousAccessAllowed="true">
        <users><authenticationUser username="net" password="net" groups="net"/></users>
      </simpleAuthenticationPlugin>
      <authorizationPlugin><map><authorizationMap>
        <authorizationEntries>
          <authorizationEntry queue="test.&gt;" read="net,anonymous" write="net,anonymous"
              admin="net,anonymous"/>
          <authorizationEntry queue="brokernet.&gt;" read="net,anonymous"
              write="net,anonymous" admin="net,anonymous"/>
          <authorizationEntry queue="ActiveMQ.DLQ" read="net,anonymous" write="anonymous"
              admin="net,anonymous"/>
          <authorizationEntry topic="&gt;" read="net,anonymous" write="net,anonymous"
              admin="net,anonymous"/>
        </authorizationEntries>
        <tempDestinationAuthorizationEntry>
          <tempDestinationAuthorizationEntry read="net,anonymous" write="net,anonymous"
              admin="net,anonymous"/>
        </tempDestinationAuthorizationEntry>
      </authorizationMap></map></authorizationPlugin>
    </plugins>"""


class JmsBase(NetTestCase):
    """Compiles JmsCheck once per class; runs it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.classes = os.path.join(cls.dir, "classes")
        os.makedirs(cls.classes, exist_ok=True)
        p = subprocess.run([JAVAC, "-nowarn", "-cp", CLASSPATH, "-d", cls.classes, JMS_SRC],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise RuntimeError("javac failed:\n" + p.stdout + p.stderr)

    def jms_start(self, *args):
        p = subprocess.Popen([JAVA, "-cp", self.classes + ":" + CLASSPATH, "JmsCheck"]
                             + list(args), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, errors="replace")
        self.addCleanup(netbase.bnharness.stop_popen, p)
        return p

    def jms(self, *args, timeout=90):
        p = self.jms_start(*args)
        out, _ = p.communicate(timeout=timeout)
        return p.returncode, out

    def pair(self, a_uri, b_uri, a_broker_attrs=""):
        b = self.sidecar("B", broker_uri=b_uri(self.brokers["B"]))
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])],
                         broker_uri=a_uri(self.brokers["A"]),
                         broker_attrs=a_broker_attrs)
        a.wait_link("B")
        b.wait_link("A")
        return a, b

    def produce_wanted_on_b(self, a, tag):
        """JmsCheck's messages into a new queue on A, then a STOMP consumer
        on B and A's network subscription for it: (queue, the description
        file, the consumer)."""
        q, sent = self.produce_on_a(tag)
        cons = self.consumer("B", q)
        a.wait_subscription(q)
        return q, sent, cons

    def url(self, name):
        return openwire_uri(self.brokers[name])

    def produce_on_a(self, tag):
        """JmsCheck's messages into a new queue on A: (queue, the
        description file)."""
        q = self.queue(tag)
        sent = os.path.join(self.tdir, q + ".sent")
        rc, out = self.jms("produce", self.url("A"), q, sent)
        self.assertEqual(rc, 0, out)
        return q, sent

    def check(self, broker, q, sent, *args):
        """JmsCheck on broker's q against sent: its output, the differences
        per field and the classes received."""
        _, out = self.jms("check", self.url(broker), q, sent, *args)
        return (out, {k: int(v) for k, v in re.findall(r"^field (\S+) (\d+)$", out, re.M)},
                re.findall(r"^checked (\w+) ", out, re.M))


@unittest.skipUnless(JAVAC and JAVA, "javac/java missing (apt-get install default-jdk-headless)")
class JmsNetwork(JmsBase):
    BROKERS = ("A", "B", "C")

    def fidelity_run(self, q):
        """The checker consumes on B first (demand), then the producer
        sends on A. Returns the checker's (rc, output)."""
        a = self.sidecars[-1]
        sent = os.path.join(self.tdir, q + ".sent")
        # The checker reads the producer's description file when it
        # starts, so the producer runs first; with no demand yet, the
        # messages wait on A until the checker's consumer on B appears.
        rc, out = self.jms("produce", self.url("A"), q, sent)
        self.assertEqual(rc, 0, out)
        self.assertIn("produced %d" % COUNT, out)
        # No wait for A's network subscription: the checker may take all
        # and leave before a poll would see it.
        return self.jms("check", self.url("B"), q, sent, "brokernet_origin")

    def test_jms_fidelity_over_openwire(self):
        """Every class, property type and header, JMSMessageID included:
        0 differences A -> B over tcp:// sessions."""
        a, b = self.pair(openwire_uri, openwire_uri)
        q = self.queue("jms")
        rc, out = self.fidelity_run(q)
        m = re.search(r"differences (\d+)", out)
        metric("JMS fidelity A->B over OpenWire sessions: %s"
               % (m.group(0) if m else "no result"))
        self.assertIn("received %d" % COUNT, out)
        self.assertIn("differences 0", out)
        self.assertEqual(rc, 0, out)
        checked = re.findall(r"^checked (\w+) ID:\S+ persistent=(\w+)", out, re.M)
        self.assertEqual(sorted(set(checked)), sorted(
            (c, p) for c in ("Message", "Text", "Bytes", "Map", "Object", "Stream")
            for p in ("true", "false")))
        wait_for(lambda: a.status()["counters"]["forwarded"] == COUNT, 10,
                 what="A counts the 12 forwarded")
        self.assertEqual(b.status()["counters"]["stored"], COUNT)
        self.assertEqual(a.status()["counters"]["unfaithful"], 0)
        self.assertEqual(self.drain("A", q), [], "A's queue must end empty")

    def test_request_reply_over_openwire(self):
        """A requester on A, a replier on B answering with the request's
        JMSMessageID as JMSCorrelationID; the replies come back over the
        same link (duplex): every reply matched."""
        b = self.sidecar("B", [], broker_uri=openwire_uri(self.brokers["B"]))
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], duplex="true")],
                         broker_uri=openwire_uri(self.brokers["A"]))
        a.wait_link("B")
        b.wait_link("A")
        q, rq = self.queue("rr"), self.queue("rr.reply")
        n = 50
        replier = self.jms_start("reply", self.url("B"), q, str(n))
        a.wait_subscription(q)
        t0 = time.monotonic()
        rc, out = self.jms("request", self.url("A"), q, str(n), rq)
        dt = time.monotonic() - t0
        rout, _ = replier.communicate(timeout=60)
        metric("JMS request/reply across brokers over OpenWire: %s in %.2f s"
               % (re.search(r"matched \d+ of \d+", out).group(0)
                  if "matched" in out else "no result", dt))
        self.assertIn("answered %d" % n, rout)
        self.assertIn("matched %d of %d" % (n, n), out)
        self.assertEqual(rc, 0, out)

    def test_jms_over_stomp_documented_changes(self):
        """Both sidecars on stomp://, A with stompEmptyBody="forward":
        exactly the changes the README lists under "Over stomp://", counted
        per field, nothing else."""
        a, b = self.pair(stomp_uri, stomp_uri, ' stompEmptyBody="forward"')
        q, sent = self.produce_on_a("stomp")
        out, fields, _ = self.check("B", q, sent, "by-index")
        self.assertIn("received %d" % COUNT, out)
        wait_for(lambda: a.status()["counters"]["forwarded"] == COUNT, 10,
                 what="A counts the 12 forwarded")
        metric("JMS over stomp:// sessions: differences per field %s" % fields)
        self.assertEqual(fields, STOMP_CHANGES, out)

    def test_jms_over_stomp_empty_bodies_dead_lettered(self):
        """Both sidecars on stomp://, the defaults: the 8 messages that
        ActiveMQ's STOMP gives an empty body with no sign of their class
        (Map, Object, Stream, plain Message) are never forwarded emptied: A
        NACKs them, and ActiveMQ dead-letters them by its own policy: the 4
        persistent ones whole in A's ActiveMQ.DLQ, the 4 non-persistent ones
        discarded (its default). The 4 Text and Bytes messages cross with
        STOMP's documented changes. Nothing stays on A's queue."""
        a, b = self.pair(stomp_uri, stomp_uri)
        q, sent = self.produce_on_a("stomp-empty")
        out, fields, got = self.check("B", q, sent, "by-index")
        wait_for(lambda: a.status()["counters"]["unfaithful"] >= COUNT - 4, 10,
                 what="A counts the 8 dead-lettered")
        counters = a.status()["counters"]
        dout, dfields, dgot = self.check("A", "ActiveMQ.DLQ", sent)
        metric("JMS over stomp:// sessions, defaults: B received %s, differences per field %s;"
               " A dead-lettered %d (unfaithful), forwarded %d; A's DLQ had %s, differences"
               " per field %s" % (sorted(got), fields, counters["unfaithful"],
                                  counters["forwarded"], sorted(dgot), dfields))
        self.assertEqual(sorted(got), ["Bytes", "Bytes", "Text", "Text"], out)
        self.assertEqual(fields, STOMP_CHANGES_TEXT_BYTES, out)
        self.assertEqual((counters["unfaithful"], counters["forwarded"]), (COUNT - 4, 4))
        self.assertEqual(sorted(dgot), ["Map", "Message", "Object", "Stream"], dout)
        self.assertEqual(re.findall(r"^checked \w+ \S+ persistent=(\w+)", dout, re.M),
                         ["true"] * 4, dout)
        self.assertEqual(dfields, DLQ_CHANGES, dout)
        self.assertEqual(self.drain("A", q), [], "nothing left on A's queue")
        with open(a.log_path) as f:
            log = f.read()
        self.assertEqual(len(re.findall(r"dead-lettered by its broker \(NACK\), not forwarded"
                                        r" changed", log)), 1, "logged once per destination")
        self.assertRegex(a.metrics(), r"brokernet_unfaithful_total(\{[^}]*\})? %d"
                         % (COUNT - 4))

    def test_openwire_to_stomp_peer_dead_letters_what_stomp_cannot_carry(self):
        """A on tcp://, B on stomp://: Text and Bytes with String properties
        would pass, but every message of the check has typed properties, so
        none may arrive changed: each is dead-lettered on A with its reason,
        counted, and B's consumer receives nothing."""
        a, b = self.pair(openwire_uri, stomp_uri)
        q, sent, cons = self.produce_wanted_on_b(a, "mixed")
        wait_for(lambda: a.status()["counters"]["unfaithful"] >= COUNT, 30,
                 what="every message counted as not carried unchanged")
        self.assertEqual(a.status()["counters"]["unfaithful"], COUNT)
        self.assertEqual(a.status()["counters"]["forwarded"], 0)
        got = self.collect(cons, 1, idle=2)
        self.assertEqual(got, [], "nothing may arrive changed on B")
        metrics = a.metrics()
        self.assertRegex(metrics, r"brokernet_unfaithful_total(\{[^}]*\})? %d" % COUNT)
        # each one whole in A's DLQ, as ActiveMQ dead-letters: the same id
        out = self.check("A", "ActiveMQ.DLQ", sent, "brokernet_unfaithful")[0]
        metric("JMS dead-lettered on A, taken from ActiveMQ.DLQ by a JMS consumer: %s, %s"
               % (re.search(r"received \d+", out).group(0),
                  re.search(r"differences \d+", out).group(0)))
        self.assertIn("received %d" % COUNT, out)
        self.assertIn("differences 0", out)
        with open(a.log_path) as f:
            log = f.read()
        self.assertEqual(len(re.findall(r"dead-lettered, not forwarded changed", log)), 1,
                         "logged once per destination")

    def test_openwire_to_stomp_peer_keeps_what_stomp_cannot_carry(self):
        """unfaithful="keep" on A (tcp://), B on stomp://, C on tcp://: none
        of the 12 crosses to B; each stays on A's queue, whole, and ActiveMQ.DLQ
        stays empty. A local JMS consumer on A gets all 12 (class, body, typed
        properties as sent: only the JMSMessageID is new, and the reason is a
        brokernet_unfaithful property); the link to B never takes them again;
        a second 12 kept the same way go on to a JMS consumer on C over the
        whole-message link, unchanged but for the same two."""
        b = self.sidecar("B", broker_uri=stomp_uri(self.brokers["B"]))
        c = self.sidecar("C", broker_uri=openwire_uri(self.brokers["C"]))
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port]),
                               connector_xml("to-C", [c.link_port])],
                         broker_uri=openwire_uri(self.brokers["A"]),
                         broker_attrs=' unfaithful="keep"')
        for s in (b, c):
            a.wait_link(s.name)
            s.wait_link("A")
        kept = {}
        for tag in ("keep", "keep-on"):
            q, _, cons = self.produce_wanted_on_b(a, tag)
            kept[tag] = q
            n = COUNT * len(kept)
            wait_for(lambda: a.status()["counters"]["unfaithful"] >= n, 30,
                     what="every message counted as kept")
            # no loop: the link to B no longer takes what was kept
            time.sleep(3)
            counters = a.status()["counters"]
            self.assertEqual(counters["unfaithful"], n)
            self.assertEqual(counters["forwarded"], 0)
            self.assertTrue(a.subscriptions(q)[0]["subscribed"])
            self.assertEqual(self.collect(cons, 1, idle=1), [], "nothing arrives on B")
        metric("JMS unfaithful=\"keep\", A on OpenWire -> B on STOMP: %d kept, %d "
               "forwarded to B, %d in A's DLQ"
               % (a.status()["counters"]["unfaithful"], a.status()["counters"]["forwarded"],
                  len(self.drain("A", "ActiveMQ.DLQ"))))
        self.assertEqual(self.drain("A", "ActiveMQ.DLQ"), [], "nothing dead-lettered")
        self.assertRegex(a.metrics(), r"brokernet_unfaithful_total(\{[^}]*\})? %d"
                         % (2 * COUNT))
        with open(a.log_path) as f:
            log = f.read()
        lines = re.findall(r"forward: (\S+) -> B: message \S+ kept on its broker, not "
                           r"forwarded changed", log)
        self.assertEqual(sorted(lines), sorted("/queue/" + q for q in kept.values()),
                         "logged once per destination")

        def check_kept(broker, q):
            """JmsCheck on broker's q against what was sent to A's q."""
            return self.check(broker, q, os.path.join(self.tdir, q + ".sent"), "by-index",
                              "brokernet_unfaithful")[:2]
        # 1. a local JMS consumer on A takes the first 12, whole
        out, fields = check_kept("A", kept["keep"])
        reasons = sorted(set(re.findall(r"^property brokernet_unfaithful (.*)$", out, re.M)))
        metric("JMS kept on A, taken by a JMS consumer on A: %s, differences per field %s,"
               " brokernet_unfaithful %s" % (re.search(r"received \d+", out).group(0),
                                             fields, reasons))
        self.assertIn("received %d" % COUNT, out)
        self.assertEqual(fields, {"JMSMessageID": COUNT}, out)
        checked = re.findall(r"^checked (\w+) ID:\S+ persistent=(\w+)", out, re.M)
        self.assertEqual(sorted(checked), sorted(
            (k, p) for k in ("Message", "Text", "Bytes", "Map", "Object", "Stream")
            for p in ("true", "false")))
        self.assertEqual(reasons, ["String:a property is not a String",
                                   "String:it is a MapMessage",
                                   "String:it is a StreamMessage",
                                   "String:it is a plain Message (no body class in STOMP)",
                                   "String:it is an ObjectMessage"])
        # 2. the second 12 go on to C, over the whole-message link
        out, fields = check_kept("C", kept["keep-on"])
        metric("JMS kept on A, then taken by a JMS consumer on C (tcp://): %s,"
               " differences per field %s" % (re.search(r"received \d+", out).group(0), fields))
        self.assertIn("received %d" % COUNT, out)
        self.assertEqual(fields, {"JMSMessageID": COUNT}, out)
        wait_for(lambda: a.status()["counters"]["forwarded"] == COUNT, 10,
                 what="A counts the 12 forwarded to C")
        self.assertEqual(c.status()["counters"]["stored"], COUNT)
        self.assertEqual(b.status()["counters"]["received"], 0, "none crossed to B")
        self.assertEqual(a.status()["counters"]["unfaithful"], 2 * COUNT)
        for q in kept.values():
            self.assertEqual(self.drain("A", q), [], "A's queue ends empty")


@unittest.skipUnless(JAVAC and JAVA, "javac/java missing (apt-get install default-jdk-headless)")
class JmsRefusedCopy(JmsBase):
    """A broker that refuses the copy of an unfaithful message."""
    BROKERS = ("A", "B")
    BROKER_OPTS = {"A": {"extra_xml": NO_DLQ_FOR_NET}}

    def test_refused_copy_leaves_the_original_unacked(self):
        """A (tcp://, deadLetter) may not write to ActiveMQ.DLQ: every copy
        is refused (an ExceptionResponse), so no original is acked. While B's
        consumer wants them, none crosses, none is counted, and the broker
        keeps giving them back; once the demand is gone, all 12 are still on
        A's queue, whole."""
        a, b = self.pair(openwire_uri, stomp_uri, ' login="net" passcode="net"')
        q, sent, cons = self.produce_wanted_on_b(a, "refused")

        def refused():
            with open(a.log_path) as f:
                return re.findall(r"the copy of an unfaithful message was not stored "
                                  r"\((.*)\); its original is not acked", f.read())
        t0 = time.monotonic()
        wait_for(lambda: a.status()["counters"]["unfaithful_refused"] >= 4, 30,
                 what="copies refused, again and again")
        time.sleep(3)
        self.assertEqual(self.collect(cons, 1, idle=1), [], "nothing arrives on B")
        counters = a.status()["counters"]
        self.assertEqual(counters["unfaithful"], 0)
        self.assertEqual(counters["forwarded"], 0)
        reasons = refused()
        self.assertIn("not authorized to write to: queue://ActiveMQ.DLQ", reasons[0])
        # logged at the 1st, 2nd, 4th, ... refusal; all counted (it goes on)
        n = counters["unfaithful_refused"]
        later = a.status()["counters"]["unfaithful_refused"]
        self.assertTrue(n.bit_length() <= len(reasons) <= later.bit_length(),
                        (n, later, reasons))
        self.assertRegex(a.metrics(), r"brokernet_unfaithful_refused_total(\{[^}]*\})? \d+")
        cons.unsubscribe("c1")
        wait_for(lambda: not a.subscriptions(q), 20, what="A's subscription gone")
        metric("JMS dead-letter copy refused by A's broker: %d refusals in %.1f s "
               "(%d logged), %d counted as dead-lettered, %d forwarded; reason %r"
               % (n, time.monotonic() - t0, len(reasons), counters["unfaithful"],
                  counters["forwarded"], reasons[0]))
        self.assertEqual(self.drain("A", "ActiveMQ.DLQ"), [], "nothing dead-lettered")
        out, fields, _ = self.check("A", q, sent, "by-index")
        metric("JMS originals left on A after refused copies: %s, differences per field %s"
               % (re.search(r"received \d+", out).group(0), fields))
        self.assertIn("received %d" % COUNT, out)
        # given back by the broker each time: redelivered, else as sent
        self.assertEqual(set(fields) - {"JMSRedelivered"}, set(), out)


if __name__ == "__main__":
    unittest.main()


class StompEmptyFrames(TopicClients, NetTestCase):
    """A STOMP client's frame with no body and no content-length becomes an
    empty TextMessage, which ActiveMQ's STOMP sends on exactly as it sends a
    Map, Object or Stream message (no body, no content-length): over
    stomp:// sessions on the defaults it is NACKed and dead-lettered by its
    broker, for a queue and for a topic's durable network subscription,
    while everything around it crosses once, in order. content-length:0 (a
    BytesMessage) crosses."""
    BROKERS = ("A", "B")

    N = 30      # every 10th (n = 5, 15, 25) empty without content-length

    def send_mixed(self, dest):
        c = self.client("A")
        for n in range(self.N):
            h = {"persistent": "true", "n": str(n)}
            if n % 10 == 5:
                c.send(dest, b"", headers=h, content_length=False)
            elif n == 7:
                c.send(dest, b"", headers=h)            # content-length:0
            else:
                c.send(dest, ("m%d" % n).encode(), headers=h)
        c.disconnect()
        self.clients.remove(c)

    def test_empty_frames_dead_lettered_queue_and_topic(self):
        b = self.sidecar("B", broker_uri=stomp_uri(self.brokers["B"]))
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port])],
                         broker_uri=stomp_uri(self.brokers["A"]))
        a.wait_link("B")
        q, t = self.queue("empty"), self.topic("empty")
        cons = self.consumer("B", q)
        a.wait_subscription(q)
        sub = self.durable("B", t, "dur-" + uuid.uuid4().hex[:6], "s1")
        self.wait_topic_subs(a, t, 1)
        self.send_mixed("/queue/" + q)
        self.send_mixed("/topic/" + t)
        want = [n for n in range(self.N) if n % 10 != 5]
        got = {}
        for k, c in (("queue", cons), ("topic", sub)):
            frames = self.collect(c, len(want), idle=3)
            got[k] = [int(f.headers["n"]) for f in frames]
        wait_for(lambda: a.status()["counters"]["unfaithful"] >= 6, 10,
                 what="A counts the 6 empty frames")
        dlq = self.drain("A", "ActiveMQ.DLQ")
        dead = sorted((f.headers.get("original-destination", "?"), int(f.headers["n"]))
                      for f in dlq)
        counters = a.status()["counters"]
        metric("STOMP empty frames over stomp:// sessions (defaults): B's queue consumer got"
               " %d of %d, its durable subscriber %d of %d; A NACKed %d, A's DLQ %s;"
               " forwarded %d" % (len(got["queue"]), len(want), len(got["topic"]), len(want),
                                  counters["unfaithful"], dead, counters["forwarded"]))
        self.assertEqual(got, {"queue": want, "topic": want}, "the others once, in order")
        self.assertEqual(counters["unfaithful"], 6)
        self.assertEqual(counters["forwarded"], 2 * len(want))
        self.assertEqual(dead, sorted([("/queue/" + q, n) for n in (5, 15, 25)] +
                                      [("/topic/" + t, n) for n in (5, 15, 25)]))
        self.assertEqual(self.drain("A", q), [], "nothing left on A's queue")
        self.assertEqual(self.collect(cons, 1, idle=1) + self.collect(sub, 1, idle=1), [],
                         "nothing more on B")
