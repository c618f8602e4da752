#!/usr/bin/env python3
"""bench-topics: topic fan-out A -> B and A -> C, brokernet against ActiveMQ's
own network of brokers, on this machine, in the same run.

Set-ups (every broker on 127.0.0.1, each set-up with brokers of its own):
  native     NA with one <networkConnector> static:(NB,NC) (ActiveMQ's
             defaults: networkTTL 1, conduit subscriptions, prefetch 1000)
  brokernet  A, B, C with a sidecar each, sidecar A dialing B and C (the
             shipped defaults)
For each case a subscriber on B and one on C (on NB and NC) subscribe to a
fresh topic, the network is given --settle seconds to learn the demand,
then one producer publishes --count messages on A (NA). Each subscriber's
rate is counted from its first to its last message; the set-up's figure is
the slower subscriber's. Duplicates and losses are counted per subscriber.
Repetitions interleave the set-ups. Also reported: CPU seconds of the
brokers (and sidecars) per 10,000 published messages.

    tools/bench-topics.py [--reps 3] [--count 20000] [--out FILE]
                          [--cases 'persistent 1 KiB,non-persistent 1 KiB']

Every process it starts is stopped by PID, also on failure.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(TOP, "tools"))
import bnharness  # noqa: E402
from bnsidecar import Sidecar, connector_xml  # noqa: E402

BNBENCH = os.path.join(TOP, "bin", "bnbench")
CASES = [("persistent 1 KiB", True, 1024), ("non-persistent 1 KiB", False, 1024)]


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def kv_of(text):
    kv = {}
    for line in text.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            kv[k.strip()] = v.strip()
    return kv


def med(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2] if xs else None


class Bench:
    def __init__(self, o):
        self.o = o
        self.base = tempfile.mkdtemp(prefix="bn-bench-topics-")
        self.brokers = []
        self.sidecars = []
        self.procs = []

    def start(self):
        nb = bnharness.Broker("NB", os.path.join(self.base, "NB"))
        nc = bnharness.Broker("NC", os.path.join(self.base, "NC"))
        na = bnharness.Broker("NA", os.path.join(self.base, "NA"),
                              extra_xml=bnharness.native_network_xml("NA-out", [nb, nc]))
        a = bnharness.Broker("A", os.path.join(self.base, "A"))
        b = bnharness.Broker("B", os.path.join(self.base, "B"))
        c = bnharness.Broker("C", os.path.join(self.base, "C"))
        self.brokers = [nb, nc, na, a, b, c]
        bnharness.start_all(*self.brokers, timeout=120)
        sb = Sidecar("B", self.base, b)
        sc = Sidecar("C", self.base, c)
        attrs = dict(kv.split("=", 1) for kv in self.o.connector_attrs.split(",") if kv)
        sa = Sidecar("A", self.base, a, [connector_xml("to-BC", [sb.link_port, sc.link_port],
                                                       **attrs)])
        self.sidecars = [sb, sc, sa]
        for s in self.sidecars:
            s.start()
        sa.wait_link("B", timeout=30)
        sa.wait_link("C", timeout=30)
        self.setups = {"native": (na, nb, nc), "brokernet": (a, b, c)}

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        for s in self.sidecars:
            try:
                s.stop()
            except Exception as e:  # keep stopping the rest
                print("bench-topics: stopping sidecar %s: %s" % (s.name, e), file=sys.stderr)
        bnharness.stop_all(self.brokers)
        if not self.o.keep:
            shutil.rmtree(self.base, ignore_errors=True)

    def bnbench(self, args):
        p = subprocess.Popen([BNBENCH] + args, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True,
                             preexec_fn=bnharness._set_pdeathsig)
        self.procs.append(p)
        return p

    def run_one(self, rep, case, setup):
        name, persistent, size = case
        src, d1, d2 = self.setups[setup]
        topic = "/topic/bt.%s.%d.%s" % (setup, rep, "p" if persistent else "np")
        n = self.o.count
        pids = [x.pid for x in (src, d1, d2)]
        names = ["broker " + x.name for x in (src, d1, d2)]
        if setup == "brokernet":
            pids += [s.proc.pid for s in self.sidecars]
            names += ["sidecar " + s.name for s in self.sidecars]
        consumers = [self.bnbench(["consume", "--broker", d.stomp_uri, "--queue", topic,
                                   "--count", str(n), "--idle-timeout", "20000",
                                   "--timeout-s", str(self.o.timeout), "-q"])
                     for d in (d1, d2)]
        time.sleep(self.o.settle)
        c0 = [cpu_s(p) for p in pids]
        prod = self.bnbench(["produce", "--broker", src.stomp_uri, "--queue", topic,
                             "--count", str(n), "--size", str(size),
                             "--persistent" if persistent else "--non-persistent",
                             "--timeout-s", str(self.o.timeout), "-q"])
        prod.communicate(timeout=self.o.timeout + 30)
        outs = [kv_of(c.communicate(timeout=self.o.timeout + 30)[0]) for c in consumers]
        each = [cpu_s(p) - c for p, c in zip(pids, c0)]
        cpu = sum(each)
        rates = [float(kv.get("msgs_per_s", 0)) for kv in outs]
        distinct = [int(kv.get("distinct", 0)) for kv in outs]
        dups = [int(kv.get("duplicates", 0)) for kv in outs]
        r = {"rate": min(rates), "distinct": distinct, "dups": dups,
             "cpu10k": cpu * 10000.0 / n}
        print("bench-topics: rep %d %-22s %-9s %8.0f msg/s (slower subscriber) received %s"
              " duplicates %s cpu %.2f s/10k" % (rep, name, setup, r["rate"], distinct, dups,
                                                 r["cpu10k"]), flush=True)
        print("bench-topics:   CPU s/10k by process: %s" % ", ".join(
            "%s %.2f" % (nm, c * 10000.0 / n) for nm, c in zip(names, each)), flush=True)
        return r

    def run(self):
        cases = [c for c in CASES if not self.o.cases or c[0] in self.o.cases.split(",")]
        res = {}
        for rep in range(1, self.o.reps + 1):
            for case in cases:
                for setup in ("native", "brokernet"):
                    res.setdefault((case[0], setup), []).append(self.run_one(rep, case, setup))
        lines = ["# topic fan-out A -> B, A -> C: brokernet and ActiveMQ's network", "",
                 "- date: %s; git %s" % (time.strftime("%Y-%m-%d %H:%M:%S"), subprocess.run(
                     ["git", "-C", TOP, "rev-parse", "--short", "HEAD"], capture_output=True,
                     text=True).stdout.strip()),
                 "- %d messages per case, one producer on A, one subscriber on B and one on C;"
                 " %d repetitions, medians; load average at end %s" % (
                     self.o.count, self.o.reps, " ".join(open("/proc/loadavg").read().split()[:3])),
                 "- daemon %s; sidecar A's connector attributes: %s" % (
                     os.environ.get("BN_BINARY", "bin/brokernetd"),
                     self.o.connector_attrs or "defaults"),
                 "",
                 "| case | native msg/s | brokernet msg/s | brokernet/native | native CPU s/10k |"
                 " brokernet CPU s/10k (brokers+sidecars) | lost or duplicated |",
                 "|---|---:|---:|---:|---:|---:|---|"]
        for case in cases:
            nat, bn = res[(case[0], "native")], res[(case[0], "brokernet")]
            rn, rb = med([r["rate"] for r in nat]), med([r["rate"] for r in bn])
            bad = sum(sum(abs(self.o.count - d) for d in r["distinct"]) + sum(r["dups"])
                      for r in nat + bn)
            lines.append("| %s | %.0f | %.0f | %.2f | %.2f | %.2f | %d |" % (
                case[0], rn, rb, rb / rn if rn else 0, med([r["cpu10k"] for r in nat]),
                med([r["cpu10k"] for r in bn]), bad))
        text = "\n".join(lines) + "\n"
        print(text)
        if self.o.out:
            with open(self.o.out, "w") as f:
                f.write(text)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--count", type=int, default=20000)
    p.add_argument("--settle", type=float, default=3.0,
                   help="seconds between subscribing and publishing (default 3)")
    p.add_argument("--timeout", type=int, default=300)
    p.add_argument("--cases", default="")
    p.add_argument("--out", default="")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--connector-attrs", default="",
                   help="sidecar A's <networkConnector> attributes, e.g."
                   " durableTopicSubscriptions=false")
    o = p.parse_args()
    b = Bench(o)
    try:
        b.start()
        b.run()
    finally:
        b.stop()


if __name__ == "__main__":
    main()
