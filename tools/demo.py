#!/usr/bin/env python3
"""make demo: two ActiveMQ brokers, a brokernetd sidecar beside each, a
consumer on B, 1,000 messages sent to A. Prints what happens and stops
everything it started (also on Ctrl-C or failure)."""

import json
import os
import shutil
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
import bnsidecar  # noqa: E402
from bnsidecar import Sidecar, connector_xml, default_broker_uri, wait_for  # noqa: E402
from stompclient import StompClient  # noqa: E402

N = 1000


def say(msg):
    print("demo: " + msg, flush=True)


def summary(s):
    st = s.status()
    links = ", ".join("%s %s (%s, out %d, in %d)" % (l["peer"], l["state"], l["direction"],
                                                     l["messages_out"], l["messages_in"])
                      for l in st["links"]) or "none"
    c = st["counters"]
    return ("sidecar %s (%s): broker %s; links: %s; local demand: %s; forwarded %d (acked %d),"
            " received %d (stored %d); duplicate window on the broker: %d commit markers"
            % (st["broker_name"], st["role"], st["broker"]["state"], links,
               json.dumps(st["local_demand"]), c["forwarded"], c["forward_acked"],
               c["received"], c["stored"], c["broker_markers"]))


def main():
    base = tempfile.mkdtemp(prefix="brokernet-demo-")
    brokers, sidecars, clients = [], [], []
    try:
        say("starting two ActiveMQ brokers on 127.0.0.1 (about 2 s each)...")
        a = bnharness.Broker("A", os.path.join(base, "broker-A"))
        b = bnharness.Broker("B", os.path.join(base, "broker-B"))
        brokers += [a, b]
        bnharness.start_all(a, b)
        say("broker A: OpenWire on %d, STOMP on %d; broker B: OpenWire on %d, STOMP on %d"
            % (a.openwire_port, a.stomp_port, b.openwire_port, b.stomp_port))

        sb = Sidecar("B", base, b)
        sa = Sidecar("A", base, a, [connector_xml("to-B", [sb.link_port])])
        sidecars += [sb, sa]
        sb.start()
        sa.start()
        say("sidecars started, each on its broker at %s and %s; A dials B's link"
            " port %d (static:), management on http://127.0.0.1:%d/status and :%d/status"
            % (default_broker_uri(a), default_broker_uri(b), sb.link_port, sa.mgmt_port,
               sb.mgmt_port))
        sa.wait_link("B")
        say("link A -> B is up")

        q = "demo.orders"
        cons = StompClient()
        cons.connect("127.0.0.1", b.stomp_port)
        clients.append(cons)
        cons.subscribe("/queue/" + q, "c1", ack="client-individual",
                       headers={"activemq.prefetchSize": "200"}, receipt=True)
        say("a consumer subscribed to %s on broker B; B's sidecar saw it in the"
            " broker's advisories and told A" % q)
        sub = sa.wait_subscription(q)[0]
        say("A's sidecar now holds network subscription %s on broker A for %s"
            " (priority %d, below local consumers)" % (sub["id"], q, sub["priority"]))

        prod = StompClient()
        prod.connect("127.0.0.1", a.stomp_port)
        clients.append(prod)
        say("sending %d persistent messages to %s on broker A, in 5 chunks..." % (N, q))
        t0 = time.monotonic()
        got = {}

        def take(until, idle):
            while len(got) < until:
                f = cons.receive(idle)
                if f is None:
                    return
                cons.ack(f)
                n = int(f.headers["n"])
                got[n] = got.get(n, 0) + 1
        chunk = N // 5
        for c in range(5):
            prod.send_many("/queue/" + q, (b"order %d" % i for i in range(c * chunk, (c + 1) * chunk)),
                           headers_fn=lambda i, body, c=c: {"persistent": "true",
                                                            "n": str(c * chunk + i)},
                           window=200)
            take((c + 1) * chunk, 5)
            st = sa.status()["counters"]
            say("  sent %d to A; A's sidecar forwarded %d (%d confirmed by B); the consumer"
                " on B has %d" % ((c + 1) * chunk, st["forwarded"], st["forward_acked"], len(got)))
        take(N, 10)
        dt = time.monotonic() - t0
        dups = sum(v - 1 for v in got.values())
        say("received on B: %d distinct of %d, %d duplicates, in %.2f s (%.0f msg/s incl."
            " the Python producer and consumer)" % (len(got), N, dups, dt, N / dt))
        say("every message crossed A -> B; a forwarded message carries brokernet_path,"
            " brokernet_hops, brokernet_origin and brokernet_origin_id headers")
        wait_for(lambda: sa.status()["counters"]["forward_acked"] == N, 10,
                 what="all acks back on A")
        for s in (sa, sb):
            say(summary(s))
        left = StompClient()
        left.connect("127.0.0.1", a.stomp_port)
        clients.append(left)
        cons.unsubscribe("c1")
        rest = left.drain("/queue/" + q, timeout_idle=1.0)
        say("messages left on broker A's queue: %d" % len(rest))
        ok = len(got) == N and not rest
        say("result: %s" % ("OK, every message arrived on B exactly where the consumer"
                            " was" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        for c in clients:
            try:
                c.close()
            except Exception:
                pass
        for s in sidecars:
            s.stop()
        bnharness.stop_all(brokers)
        say("stopped the sidecars and brokers it started")
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
