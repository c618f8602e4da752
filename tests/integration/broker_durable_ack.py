"""A fact about ActiveMQ that test_topic_faults relies on, checked with no
sidecar at all (make soak runs it; it is not a test_*.py, so make check
does not): KahaDB journals a durable topic subscription's ACK without a
sync, receipt or not (KahaDBStore.doAcknowledge: store(command, false)),
so kill -9 of the broker just after a receipted ACK can lose it and the
subscriber gets the message again; ACKs in a transaction whose COMMIT was
receipted survive (the COMMIT is journaled with a sync).

One broker; a client sends persistent messages to a queue all along, so
the journal is busy with syncs (the window is a sync long; idle, the
journal writes at once and nothing is lost). Each round: a new durable
subscriber takes 150 of 300, acked in batches of 50, kill -9 of the
broker right after the last batch's receipt, restart, drain.
"""

import threading
import time
import uuid

from netbase import NetTestCase, metric
from test_topics import TopicClients

ROUNDS = 8


class DurableAckOnKill(TopicClients, NetTestCase):
    BROKERS = ("B",)

    def setUp(self):
        super().setUp()
        stop = threading.Event()
        self.addCleanup(stop.set)

        def load():
            from stompclient import StompClient
            while not stop.is_set():
                try:
                    c = StompClient()
                    c.connect("127.0.0.1", self.brokers["B"].stomp_port)
                    while not stop.is_set():
                        c.send("/queue/durable-ack-load", b"y" * 200,
                               headers={"persistent": "true"}, receipt=True)
                except Exception:       # the broker is being killed
                    time.sleep(0.2)
        threading.Thread(target=load, daemon=True).start()

    def confirm_plain(self, c, frames, rnd):
        for f in frames[:-1]:
            c.ack(f)
        c.ack(frames[-1], receipt=True)

    def confirm_tx(self, c, frames, rnd):
        tx = "acks-%d-%s" % (rnd, frames[0].headers["n"])
        c.begin(tx)
        for f in frames:
            c.ack(f, transaction=tx)
        c.commit(tx, receipt=True)

    def redelivered(self, confirm):
        """Messages the broker delivered again after their ACK was
        confirmed, over ROUNDS kills."""
        total = 0
        for rnd in range(ROUNDS):
            t = self.topic("durack")
            cid = "dur-" + uuid.uuid4().hex[:6]
            c = self.durable("B", t, cid, "s1")
            self.publish("B", t, 300)
            got, pending = [], []
            while len(got) < 150:
                f = c.receive(10)
                self.assertIsNotNone(f, "the durable subscriber gets what was published")
                pending.append(f)
                if len(pending) == 50:
                    confirm(c, pending, rnd)
                    got.extend(int(x.headers["n"]) for x in pending)
                    pending = []
            self.brokers["B"].kill9()
            self.clients.remove(c)
            c.close()
            self.brokers["B"].restart()
            c = None
            deadline = time.monotonic() + 60
            while c is None:
                try:
                    c = self.durable("B", t, cid, "s1")
                except Exception:
                    self.assertLess(time.monotonic(), deadline, "broker B back")
                    time.sleep(0.5)
            f = c.receive(3)
            while f is not None:
                c.ack(f)
                got.append(int(f.headers["n"]))
                f = c.receive(3)
            self.assertEqual(sorted(set(got)), list(range(300)), "nothing lost")
            total += len(got) - len(set(got))
            c.disconnect()
            self.clients.remove(c)
        return total

    def test_durable_topic_acks_across_kill9(self):
        plain = self.redelivered(self.confirm_plain)
        tx = self.redelivered(self.confirm_tx)
        metric("KahaDB, durable topic subscriber, %d kill -9 each right after a receipt:"
               " receipted ACKs %d redelivered, transactional ACKs %d" % (ROUNDS, plain, tx))
        self.assertEqual(tx, 0, "ACKs in a receipted transaction survive a kill -9")
