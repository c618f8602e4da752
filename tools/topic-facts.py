"""What ActiveMQ tells a STOMP client about topic consumers and durable
subscriptions (docs/topics.md, "Facts"). Starts one broker in a temporary
directory, prints what it sees, stops the broker by PID.

    python3 tools/topic-facts.py
"""
import json
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bnharness  # noqa: E402
from stompclient import StompClient, encode_frame  # noqa: E402

D = tempfile.mkdtemp(prefix="topic-facts-")
b = bnharness.Broker("F", D)
b.start()
P = b.stomp_port
def cl(cid=None):
    c = StompClient(); c.connect("127.0.0.1", P, headers={"client-id": cid} if cid else None); return c
def advs(c, t=1.0):
    out = []
    while True:
        f = c.receive(t)
        if f is None: return out
        body = f.body.decode()
        j = json.loads(body)
        k = list(j)[0]
        v = j[k]
        if k == "ConsumerInfo":
            out.append(("ADD", v["destination"]["@class"], v["destination"].get("string"),
                        v.get("subscriptionName"), v["consumerId"]["connectionId"][-6:], f.get("consumerCount"), f.get("destination")))
        elif "objectId" not in v:
            out.append((k, body[:400], f.get("destination")))
        else:
            out.append(("REMOVE", v["objectId"].get("connectionId", "")[-6:], f.get("consumerCount"), f.get("destination")))
def show(tag, x): print("==", tag); [print("   ", i) for i in x]


def take(c):
    """The n header of every message c receives until 1 s of quiet, acked."""
    got = []
    while True:
        f = c.receive(1.0)
        if f is None:
            return got
        got.append(f.get("n"))
        c.ack(f)


try:
    # pre-existing consumers: queue, topic, wildcard topic, durable
    q = cl(); q.subscribe("/queue/fq", "1", receipt=True)
    t = cl(); t.subscribe("/topic/ft", "1", receipt=True)
    w = cl(); w.subscribe("/topic/fw.>", "1", receipt=True)
    du = cl("dur1"); du.subscribe("/topic/fd", "1", headers={"activemq.subscriptionName": "s1"}, receipt=True)
    a = cl(); a.subscribe("/topic/ActiveMQ.Advisory.Consumer.>", "adv", ack="auto", headers={"transformation": "jms-advisory-json"}, receipt=True)
    show("replay on subscribe (Consumer.>)", advs(a))
    du.disconnect(); show("durable subscriber DISCONNECT", advs(a))
    a2 = cl(); a2.subscribe("/topic/ActiveMQ.Advisory.Consumer.>", "adv", ack="auto", headers={"transformation": "jms-advisory-json"}, receipt=True)
    show("replay with durable offline (new advisory sub)", advs(a2))
    # publish while offline
    p = cl()
    for i in range(5): p.send("/topic/fd", b"m%d" % i, headers={"persistent": "true", "n": str(i)})
    du = cl("dur1"); du.subscribe("/topic/fd", "1", headers={"activemq.subscriptionName": "s1"}, receipt=True)
    show("durable resubscribe advisories", advs(a))
    got = take(du)
    print("== durable replay on resubscribe: got", got)
    du.unsubscribe("1"); show("UNSUBSCRIBE without subscriptionName", advs(a))
    for i in range(3): p.send("/topic/fd", b"x", headers={"persistent": "true", "n": "x%d" % i})
    du.subscribe("/topic/fd", "2", headers={"activemq.subscriptionName": "s1"}, receipt=True)
    got = take(du)
    print("== after plain UNSUBSCRIBE and resubscribe: got", got)
    show("advs", advs(a))
    du.unsubscribe("2")
    # Remove durable: UNSUBSCRIBE with subscriptionName header
    du.disconnect(); show("disconnect", advs(a))
    du = cl("dur1")
    du._write(encode_frame("UNSUBSCRIBE", [("id", "1"), ("activemq.subscriptionName", "s1"), ("receipt", "u1")]))
    time.sleep(0.5)
    show("UNSUBSCRIBE with subscriptionName while offline", advs(a))
    print("   errors:", [e.headers for e in du.errors])
    for i in range(3): p.send("/topic/fd", b"y", headers={"persistent": "true", "n": "y%d" % i})
    du.subscribe("/topic/fd", "3", headers={"activemq.subscriptionName": "s1"}, receipt=True)
    got = take(du)
    print("== after removal and resubscribe: got", got)
    show("advs", advs(a))
    t.close(); show("non-durable topic consumer TCP drop", advs(a))
    # topic message headers seen by a subscriber
    t2 = cl(); t2.subscribe("/topic/hdr", "1", ack="client", receipt=True)
    p.send("/topic/hdr", b"body", headers={"persistent": "true", "k": "v:w"})
    f = t2.receive(2); print("== topic MESSAGE headers", f.headers)
    show("advs", advs(a))
finally:
    b.stop()
    shutil.rmtree(D, ignore_errors=True)
