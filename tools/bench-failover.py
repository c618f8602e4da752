#!/usr/bin/env python3
"""Master/slave failover under load: how long after the slave answers does
forwarding resume?  Repeats bnfailover.master_kill (4,000 persistent A->B,
kill -9 of the master after ~1,000 stored on B) and prints each run and the
min/median/max of the timings, for brokernet and, in the same run, for
ActiveMQ's own network bridge on the same kind of pair.

    flock /tmp/brokernet-bench.lock python3 tools/bench-failover.py \\
        [--runs 5] [--pair jdbc|kahadb] [--no-native] [--binary PATH]...

--binary (repeatable) measures other brokernetd builds in the same run
(e.g. a copy of the binary before a change): each gets --runs runs.
Run as root (PostgreSQL runs as the postgres user).  Results also go to
tests/out/metrics.log.
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
import bnfailover  # noqa: E402
import bnharness  # noqa: E402

OUT = os.path.join(os.path.dirname(TOOLS), "tests", "out")


def metric(line):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "metrics.log"), "a") as f:
        f.write("%s bench-failover: %s\n" % (time.strftime("%Y-%m-%dT%H:%M:%S"), line))
    print(line, flush=True)


def summary(label, runs, keys):
    for k in keys:
        v = [r[k] for r in runs if r.get(k) is not None]
        if v:
            metric("%-28s %-14s n=%d min %.3f median %.3f max %.3f s" % (
                label, k, len(v), min(v), statistics.median(v), max(v)))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--pair", choices=("jdbc", "kahadb"), default="jdbc")
    p.add_argument("--no-native", action="store_true")
    p.add_argument("--binary", action="append", default=[],
                   help="brokernetd to measure (default bin/brokernetd)")
    p.add_argument("-n", type=int, default=4000)
    p.add_argument("--keep", action="store_true", help="keep the work dir")
    a = p.parse_args()
    binaries = a.binary or [os.path.join(os.path.dirname(TOOLS), "bin", "brokernetd")]
    os.makedirs(OUT, exist_ok=True)
    d = tempfile.mkdtemp(prefix="bench-failover-", dir=OUT)
    b = bnharness.Broker("B", os.path.join(d, "B"))
    b.start()
    results = {}
    try:
        setups = [(os.path.basename(x), x) for x in binaries]
        if not a.no_native:
            setups.append(("native", None))
        # interleave the set-ups run by run so drift hits all alike
        for i in range(a.runs):
            for label, binary in setups:
                if binary:
                    os.environ["BN_BINARY"] = binary
                r = bnfailover.master_kill(os.path.join(d, "%s-%d" % (label, i)),
                                           b, pair=a.pair, n=a.n, kill_at=a.n // 4,
                                           native=binary is None)
                results.setdefault(label, []).append(r)
                ok = r["distinct"] == a.n and r["duplicates"] == 0
                metric("run %d %s: %s%s" % (i + 1, label, bnfailover.describe(r),
                                            "" if ok else "  <-- COUNTS WRONG"))
    finally:
        b.stop()
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    for label, runs in results.items():
        if runs[0]["via"] == "native":
            for r in runs:
                r["gap"] = r["consumed_new"] - r["slave_up"]
            summary(label, runs, ("slave_up", "consumed_new", "gap", "consumer_idle"))
        else:
            for r in runs:
                r["reconnect"] = r["sidecar_up"] - r["slave_up"]
                r["to_first"] = r["first_new"] - r["sidecar_up"]
            summary(label, runs, ("slave_up", "sidecar_up", "first_new", "gap", "reconnect",
                                  "to_first", "consumed_new", "consumer_idle"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
