#!/usr/bin/env python3
"""latency-trace: where a message waits at low load, from the sidecars' syscalls.

Starts brokers A and B and sidecars A -> B on the shipped defaults (127.0.0.1
only), attaches `strace -ttt -yy` to both sidecars, sends --count messages at
--rate msg/s (bnbench run: producer on A, consumer on B, traced as well)
and splits each message's time into the stages of its path, seen from the
three processes:

  P: SEND to broker A       the producer's write (bnbench)
  A: broker MESSAGE in      read on A's broker socket
  A: link write             write on the link socket
  B: link read              read on the link socket
  B: store frames out       write on B's store socket
  B: receipt in             read on B's store socket
  B: stored-ack out         write on the link socket
  A: stored-ack in          read on the link socket
  A: ACK to broker          write on A's broker socket
  C: MESSAGE from broker B  the consumer's read (bnbench)

At a low rate one message's events do not overlap the next one's, so each
cycle starts with a MESSAGE read on A and takes the first event of each
later stage after it. Cycles where that pairing is ambiguous (a second
MESSAGE before the cycle ended) are counted and left out. strace slows the
sidecars: the absolute figures are an upper bound; the split is what counts.
Both hosts' clocks are one clock here (one machine).

    tools/latency-trace.py [--count N] [--rate R] [--persistent|--non-persistent]
                           [--fill N] [--sidecar-attrs ATTRS] [--keep]

Prints per-stage p50/p90/p99/max (ms) and the consumer's latency from bnbench.
Every process it starts is stopped by PID, also on failure.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import bnharness  # noqa: E402
import bnsidecar  # noqa: E402
from bnsidecar import Sidecar, connector_xml  # noqa: E402

BNBENCH = os.path.join(TOP, "bin", "bnbench")
LINE = re.compile(r"^(?:\d+ +)?(\d+\.\d+) (read|write|readv|writev|recvfrom|sendto|recvmsg|sendmsg)"
                  r"\((\d+)<TCP:\[([\d.]+):(\d+)->([\d.]+):(\d+)\]>.*= (-?\d+)")
STAGES = ["P: SEND to broker A", "A: broker MESSAGE in", "A: link write", "B: link read",
          "B: store frames out", "B: receipt in", "B: stored-ack out",
          "A: stored-ack in", "A: ACK to broker", "C: MESSAGE read from broker B"]


def events(path, ports):
    """(t, kind) from one strace file; kind: broker-in/out, link-in/out, store-in/out.
    ports: {remote port: role} where role is 'broker', 'store' or 'link'; a socket
    whose local port is the link listener is a link too."""
    out = []
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if not m or int(m.group(8)) <= 0:
                continue
            t = float(m.group(1))
            call = m.group(2)
            lport, rport = int(m.group(5)), int(m.group(7))
            role = ports.get(("r", rport)) or ports.get(("l", lport)) or \
                ports.get(("fd", int(m.group(3))))
            if role is None:
                continue
            d = "in" if call in ("read", "readv", "recvfrom", "recvmsg") else "out"
            out.append((t, "%s-%s" % (role, d)))
    return out


def pct(xs, p):
    xs = sorted(xs)
    if not xs:
        return float("nan")
    k = max(1, min(len(xs), int(round(p / 100.0 * len(xs) + 0.4999))))
    return xs[k - 1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--rate", type=int, default=100)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--persistent", dest="persistent", action="store_true", default=True)
    g.add_argument("--non-persistent", dest="persistent", action="store_false")
    p.add_argument("--fill", type=int, default=0,
                   help="forward this many non-persistent messages first (default 0)")
    p.add_argument("--sidecar-attrs", default="",
                   help="extra <brokernet> attributes for both sidecars")
    p.add_argument("--keep", action="store_true")
    o = p.parse_args()
    if not shutil.which("strace"):
        p.error("strace is missing (apt-get install strace)")
    base = tempfile.mkdtemp(prefix="bn-lattrace-")
    procs = []
    a = bnharness.Broker("A", os.path.join(base, "A"))
    b = bnharness.Broker("B", os.path.join(base, "B"))
    sa = sb = None
    try:
        bnharness.start_all(a, b, timeout=90)
        sb = Sidecar("B", base, b, extra_root_attrs=o.sidecar_attrs)
        sa = Sidecar("A", base, a, [connector_xml("to-B", [sb.link_port])],
                     extra_root_attrs=o.sidecar_attrs)
        sb.start()
        sa.start()
        sa.wait_link("B", timeout=30)
        # warm-up, not traced; --fill first forwards that many non-persistent
        # messages as fast as they go (a full duplicate window, many markers)
        if o.fill:
            subprocess.run([BNBENCH, "run", "--producer-broker", a.stomp_uri,
                            "--consumer-broker", b.stomp_uri, "--queue", "lt.fill",
                            "--count", str(o.fill), "--non-persistent", "--producers", "4",
                            "-q"], stdout=subprocess.DEVNULL, check=False, timeout=600)
        subprocess.run([BNBENCH, "run", "--producer-broker", a.stomp_uri,
                        "--consumer-broker", b.stomp_uri, "--queue", "lt.warm",
                        "--count", "2000", "--rate", "1000", "-q"],
                       stdout=subprocess.DEVNULL, check=False, timeout=120)
        traces = {}
        for n, sc in (("A", sa), ("B", sb)):
            path = os.path.join(base, "strace-%s.txt" % n)
            st = subprocess.Popen(["strace", "-ttt", "-yy", "-s", "0", "-e",
                                   "trace=read,write,readv,writev,recvfrom,sendto,"
                                   "recvmsg,sendmsg", "-p", str(sc.proc.pid), "-o", path],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(st)
            traces[n] = path
        bnsidecar.wait_for(lambda: all(os.path.exists(x) for x in traces.values()), 10,
                           what="strace attached")
        import time
        time.sleep(1.0)
        traces["C"] = os.path.join(base, "strace-bnbench.txt")
        r = subprocess.run(["strace", "-f", "-ttt", "-yy", "-s", "0", "-e",
                            "trace=read,write,readv,writev,recvfrom,sendto,recvmsg,sendmsg",
                            "-o", traces["C"],
                            BNBENCH, "run", "--producer-broker", a.stomp_uri,
                            "--consumer-broker", b.stomp_uri, "--queue", "lt.run",
                            "--count", str(o.count), "--rate", str(o.rate),
                            "--persistent" if o.persistent else "--non-persistent", "-q"],
                           stdout=subprocess.PIPE, text=True, check=False, timeout=600)
        time.sleep(1.0)
        for st in procs:
            st.send_signal(signal.SIGINT)
            st.wait(timeout=10)
        procs.clear()
        kv = dict(x.split("=", 1) for x in r.stdout.split() if "=" in x)
        # A: broker socket (to A's STOMP port) carries MESSAGE in / ACK out; the
        # link socket goes to B's link port. B: store socket to B's STOMP port
        # (the broker session and the store session both go there: the store
        # session is the one B writes SENDs on; reads of either count as
        # receipts only after a store write).
        ea = events(traces["A"], {("r", a.stomp_port): "broker", ("r", sb.link_port): "link"})
        eb = events(traces["B"], {("r", b.stomp_port): "store", ("l", sb.link_port): "link"})
        # the load generator: SEND written to A's STOMP port, MESSAGE read from B's
        ec = events(traces["C"], {("r", a.stomp_port): "prod", ("r", b.stomp_port): "cons"})
        sends = [t for t, k in ec if k == "prod-out"]
        recvs = [t for t, k in ec if k == "cons-in"]
        cycles, skipped = [], 0
        ia = [e for e in ea]
        starts = [i for i, e in enumerate(ia) if e[1] == "broker-in"]
        for k, i in enumerate(starts):
            t0 = ia[i][0]
            t_end = ia[starts[k + 1]][0] if k + 1 < len(starts) else float("inf")

            def first_a(kind, after):
                for t, kd in ia:
                    if after < t < t_end and kd == kind:
                        return t
                return None

            def first_b(kind, after, before):
                for t, kd in eb:
                    if after < t < before and kd == kind:
                        return t
                return None
            lw = first_a("link-out", t0)
            if lw is None:
                skipped += 1
                continue
            lr = first_b("link-in", lw - 0.0005, t_end)
            so = first_b("store-out", lr, t_end) if lr else None
            ri = first_b("store-in", so, t_end) if so else None
            ao = first_b("link-out", ri, t_end) if ri else None
            ai = first_a("link-in", ao) if ao else None
            ack = first_a("broker-out", ai) if ai else None
            ts = [t0, lw, lr, so, ri, ao, ai, ack]
            if any(x is None for x in ts):
                skipped += 1
                continue
            # the producer's SEND: the last one before A's MESSAGE in (at a low
            # rate, the one this MESSAGE carries); the consumer's read: the first
            # after B's store frames went out
            snd = [t for t in sends if t <= t0 and t0 - t < 0.5]
            rcv = [t for t in recvs if t > so and t < t_end + 0.5]
            if not snd or not rcv:
                skipped += 1
                continue
            cycles.append([snd[-1]] + ts + [rcv[0]])
        print("latency-trace: %d messages %s at %d msg/s; %d cycles paired, %d left out"
              % (o.count, "persistent" if o.persistent else "non-persistent", o.rate,
                 len(cycles), skipped))
        print("bnbench (producer send -> consumer receive): p50 %s p90 %s p99 %s max %s ms"
              % (kv.get("lat_p50_ms"), kv.get("lat_p90_ms"), kv.get("lat_p99_ms"),
                 kv.get("lat_max_ms")))
        print("| stage (time since the previous one) | p50 ms | p90 ms | p99 ms | max ms |")
        print("|---|---:|---:|---:|---:|")
        order = list(range(1, len(STAGES) - 1))
        for s in order:
            d = [(c[s] - c[s - 1]) * 1000.0 for c in cycles]
            print("| %s -> %s | %.3f | %.3f | %.3f | %.3f |" % (
                STAGES[s - 1], STAGES[s], pct(d, 50), pct(d, 90), pct(d, 99),
                max(d) if d else float("nan")))
        for name, i, j in (("B: store frames out -> C: MESSAGE read from broker B", 4, 9),
                           ("B: receipt in -> C: MESSAGE read (negative: before)", 5, 9),
                           ("A: MESSAGE in -> B: receipt in (stored)", 1, 5),
                           ("A: MESSAGE in -> A: ACK to broker (whole cycle)", 1, 8),
                           ("P: SEND -> C: MESSAGE read (end to end)", 0, 9)):
            d = [(c[j] - c[i]) * 1000.0 for c in cycles]
            print("| %s | %.3f | %.3f | %.3f | %.3f |"
                  % (name, pct(d, 50), pct(d, 90), pct(d, 99), max(d) if d else float("nan")))
        return 0 if cycles else 1
    finally:
        for st in procs:
            try:
                st.send_signal(signal.SIGINT)
                st.wait(timeout=10)
            except Exception:
                st.kill()
        for sc in (sa, sb):
            if sc is not None:
                sc.stop()
        bnharness.stop_all([a, b])
        if o.keep:
            print("latency-trace: kept %s" % base)
        else:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
