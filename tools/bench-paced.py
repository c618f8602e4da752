#!/usr/bin/env python3
"""bench-paced: what consumer-paced forwarding costs a single fast path.

One run, on 127.0.0.1 only: brokers A and B, both with the statistics plugin
(<plugins><statisticsBrokerPlugin/></plugins>, what pacing needs), sidecars
beside them (B's connector dials A). Producer on B, consumer on A: B -> A is
the only path, so it is never paused, but A's sidecar asks its broker for the
queue's statistics and reports to B while messages arrive: that is the cost.
Each repetition runs the BEFORE daemon (--before, a build without pacing)
and the AFTER daemon (this tree's bin/brokernetd) on the same brokers,
interleaved, with fresh sidecars and a fresh queue per run. Prints msg/s and
the CPU seconds of A's broker and of the two sidecars per run, and the
median change. Wrap it in flock (see helper rules):

    flock /tmp/brokernet-bench.lock tools/bench-paced.py --before PATH \\
        [--reps 3] [--count 20000] [--size 1024] [--producers 4]

Every run is checked (distinct == count, missing == 0, corrupt == 0).
Everything started is stopped by PID, also on failure.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
from bnsidecar import Sidecar, connector_xml  # noqa: E402

BNBENCH = os.path.join(TOP, "bin", "bnbench")
AFTER = os.path.join(TOP, "bin", "brokernetd")
CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    """utime + stime of pid, seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def one_run(base, tag, binary, a, b, args, i):
    os.environ["BN_BINARY"] = binary
    d = os.path.join(base, "%s-%d" % (tag, i))
    os.makedirs(d)
    sa = Sidecar("A", d, a)
    sb = None
    try:
        sa.start()
        sb = Sidecar("B", d, b, [connector_xml("to-A", [sa.link_port])])
        sb.start()
        sb.wait_link("A")
        q = "bench.paced.%s.%d.%d" % (tag, i, int(time.time() * 1000))
        cmd = [BNBENCH, "run", "--producer-broker", b.stomp_uri, "--consumer-broker",
               a.stomp_uri, "--queue", q, "--count", str(args.count), "--size",
               str(args.size), "--persistent", "--producers", str(args.producers),
               "--warmup-ms", "2000", "-q"]
        pids = {"broker A": a.pid, "sidecar A": sa.proc.pid, "sidecar B": sb.proc.pid}
        c0 = {k: cpu_s(p) for k, p in pids.items()}
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        c1 = {k: cpu_s(p2) for k, p2 in pids.items()}
        kv = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
        ok = (p.returncode == 0 and kv.get("distinct") == str(args.count) and
              kv.get("missing") == "0" and kv.get("corrupt") == "0")
        return {"ok": ok, "rate": float(kv.get("msgs_per_s", 0)),
                "cpu": {k: c1[k] - c0[k] for k in pids}, "err": p.stderr[-500:]}
    finally:
        for s in (sb, sa):
            if s is not None:
                s.stop()


def stats_cost(broker, n):
    """n statistics requests one after the other (what a receiving sidecar sends
    per paced queue, at most every 10 ms): wall time and broker CPU per request."""
    from stompclient import StompClient
    c = StompClient()
    c.connect("127.0.0.1", broker.stomp_port)
    try:
        c.send("/queue/bench.paced.stats", b"x", receipt=True)
        c.subscribe("/temp-queue/st", "st", ack="auto",
                    headers={"transformation": "jms-map-json"}, receipt=True)
        dest = "/queue/ActiveMQ.Statistics.Destination.bench.paced.stats"
        for _ in range(50):     # warm-up
            c.send(dest, b"", headers={"reply-to": "/temp-queue/st"}, receipt=False)
            c.receive(5)
        c0 = cpu_s(broker.pid)
        t0 = time.monotonic()
        for _ in range(n):
            c.send(dest, b"", headers={"reply-to": "/temp-queue/st"}, receipt=False)
            if c.receive(5) is None:
                raise RuntimeError("no statistics reply")
        dt = time.monotonic() - t0
        return dt / n, (cpu_s(broker.pid) - c0) / n
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", required=True, help="brokernetd without pacing")
    ap.add_argument("--after", default=AFTER)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--size", type=int, default=1024)
    ap.add_argument("--producers", type=int, default=4)
    ap.add_argument("--stats-requests", type=int, default=2000,
                    help="requests of the statistics cost measurement (0: none)")
    args = ap.parse_args()
    base = tempfile.mkdtemp(prefix="bench-paced-", dir=os.path.join(TOP, "tests", "out"))
    a = bnharness.Broker("A", os.path.join(base, "broker-A"), statistics=True)
    b = bnharness.Broker("B", os.path.join(base, "broker-B"), statistics=True)
    res = {"before": [], "after": []}
    try:
        bnharness.start_all(a, b)
        if args.stats_requests:
            rtt, cpu = stats_cost(a, args.stats_requests)
            print("statistics request: %.2f ms round trip, %.3f ms broker CPU each (%d requests);"
                  " at one per 10 ms (a paced queue's most): %.1f%% of a core"
                  % (rtt * 1000, cpu * 1000, args.stats_requests, cpu * 100 * 100), flush=True)
        for i in range(args.reps):
            for tag, binary in (("before", args.before), ("after", args.after)):
                r = one_run(base, tag, binary, a, b, args, i)
                res[tag].append(r)
                print("rep %d %-6s %8.0f msg/s %s  cpu: %s" % (
                    i, tag, r["rate"], "ok" if r["ok"] else "FAILED " + r["err"],
                    ", ".join("%s %.2f s" % kv for kv in r["cpu"].items())), flush=True)
    finally:
        bnharness.stop_all([a, b])
    med = {}
    if args.reps == 0:
        shutil.rmtree(base, ignore_errors=True)
        return 0
    for tag in res:
        rates = [r["rate"] for r in res[tag] if r["ok"]]
        med[tag] = statistics.median(rates) if rates else 0
        cpu = {k: statistics.median(r["cpu"][k] for r in res[tag]) for k in res[tag][0]["cpu"]}
        print("%-6s median %.0f msg/s (%s); median cpu per run: %s" % (
            tag, med[tag], ", ".join("%.0f" % x for x in rates),
            ", ".join("%s %.2f s" % kv for kv in cpu.items())))
    if med["before"]:
        print("change: %+.1f%% (%d x %d persistent %d B, %d producers)" % (
            100 * (med["after"] / med["before"] - 1), args.reps, args.count, args.size,
            args.producers))
    ok = all(r["ok"] for t in res for r in res[t])
    if ok:
        shutil.rmtree(base, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
