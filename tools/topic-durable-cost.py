#!/usr/bin/env python3
"""topic-durable-cost: what ActiveMQ itself charges for durable subscribers
on a topic, with no sidecar: one broker, one STOMP producer publishing N
persistent 1 KiB messages (receipt window 200) to a fresh topic, two
(--subs) subscribers (ack:client, prefetch 1000, a cumulative ACK every 100
messages; --ack client-individual: one ACK per message), plain or durable (client-id + activemq.subscriptionName), as
brokernet's network subscriptions are. Prints msg/s (slower subscriber)
and the broker's CPU seconds per 10,000 messages, interleaved repetitions.

    tools/topic-durable-cost.py [--count 5000] [--reps 2] [--ack client-individual]

Every process it starts is stopped by PID, also on failure.
"""

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import bnharness  # noqa: E402
from stompclient import StompClient  # noqa: E402


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        v = f.read().rsplit(")", 1)[1].split()
    return (int(v[11]) + int(v[12])) / os.sysconf("SC_CLK_TCK")


def one(broker, durable, n, ack_mode, nsubs):
    t = "cost.%s" % uuid.uuid4().hex[:8]
    subs, got, times = [], [0] * nsubs, [[None, None] for _ in range(nsubs)]
    for i in range(nsubs):
        c = StompClient()
        hdr = {"client-id": "cost-%s-%d" % (t, i)} if durable else None
        c.connect("127.0.0.1", broker.stomp_port, headers=hdr)
        h = {"activemq.prefetchSize": "1000"}
        if durable:
            h["activemq.subscriptionName"] = "s"
        c.subscribe("/topic/" + t, "s%d" % i, ack=ack_mode, headers=h, receipt=True)
        subs.append(c)

    def take(i):
        c = subs[i]
        while got[i] < n:
            f = c.receive(10)
            if f is None:
                return
            got[i] += 1
            if times[i][0] is None:
                times[i][0] = time.monotonic()
            if ack_mode == "client-individual" or got[i] % 100 == 0 or got[i] == n:
                c.ack(f)
        times[i][1] = time.monotonic()
    th = [threading.Thread(target=take, args=(i,), daemon=True) for i in range(nsubs)]
    for x in th:
        x.start()
    p = StompClient()
    p.connect("127.0.0.1", broker.stomp_port)
    c0 = cpu_s(broker.pid)
    body = b"x" * 1024
    p.send_many("/topic/" + t, (body for _ in range(n)), window=200,
                headers_fn=lambda i, b: {"persistent": "true"})
    for x in th:
        x.join(120)
    c1 = cpu_s(broker.pid)
    rates = [n / (e - s) if s and e and e > s else 0 for s, e in times]
    for c in subs + [p]:
        c.close()
    return min(rates), (c1 - c0) * 10000 / n, got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--subs", type=int, default=2, help="subscribers (default 2)")
    ap.add_argument("--ack", choices=("client", "client-individual"), default="client",
                    help="client: a cumulative ACK every 100 messages (default);"
                    " client-individual: one ACK per message, as a sidecar acks a queue")
    o = ap.parse_args()
    base = tempfile.mkdtemp(prefix="bn-topic-cost-")
    b = bnharness.Broker("T", os.path.join(base, "T"))
    try:
        bnharness.start_all(b, timeout=120)
        res = {False: [], True: []}
        for rep in range(o.reps):
            for durable in (False, True):
                r = one(b, durable, o.count, o.ack, o.subs)
                res[durable].append(r)
                print("rep %d %-8s %6.0f msg/s  broker CPU %.2f s/10k  received %s"
                      % (rep + 1, "durable" if durable else "plain", r[0], r[1], r[2]),
                      flush=True)
        for durable in (False, True):
            rs = sorted(x[0] for x in res[durable])
            cs = sorted(x[1] for x in res[durable])
            print("median %-8s %6.0f msg/s  broker CPU %.2f s/10k"
                  % ("durable" if durable else "plain", rs[len(rs) // 2], cs[len(cs) // 2]))
    finally:
        bnharness.stop_all([b])
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
