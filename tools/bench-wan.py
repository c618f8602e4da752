#!/usr/bin/env python3
"""bench-wan: ActiveMQ's native bridge and brokernet through the same emulated
WAN link (tools/wanrelay.py: a bottleneck of --rate-mbit per direction plus a
round-trip time), in the same run, on 127.0.0.1 only.

Brokers NA -> NB (native <networkConnector> dialing NB's OpenWire port through
relay N) and A, B with sidecars (A's connector dials B's link port through
relay L).  Set-ups, interleaved in every repetition:
  native    ActiveMQ's bridge NA -> NB
  bn-zstd   brokernet, useCompression="true" (compact headers + zstd)
  bn-plain  brokernet, useCompression="false" (compact headers only)
  bn-v1     brokernet built from --base-rev (long link headers, no compression):
            the "before" of the wire bytes (skipped without --base-bin)
Cases: persistent 1 KiB JSON order events (seeded, varied: bnbench --body json)
and incompressible ones (--body random) at 10 Mbit/s, 40 ms RTT; incompressible
at 10 ms and 100 ms RTT (bandwidth-bound: does credit in flight cover the
bandwidth-delay product?); JSON at 2 Mbit/s (link-bound even when the brokers
are short of CPU); low load (50 msg/s JSON) latency at 40 ms RTT.  Then the
codec alone (bin/bnzbench): CPU per message per side.

Per run: msg/s, wire bytes per message each way (counted by the relay, TCP
payload), sidecar CPU per message, and for brokernet the messages in flight
on the link (sampled from A's /status every 0.2 s).  Every run is checked by
bnbench (distinct == count, no corrupt body).  Medians of --reps repetitions.
Markdown to stdout and tests/out/bench-wan.md.  Everything started is stopped
by PID, also on failure or Ctrl-C.  Run it under
`flock /tmp/brokernet-bench.lock` (make bench-wan does).

    tools/bench-wan.py [--reps N] [--quick] [--base-bin PATH] [--out FILE]
"""

import argparse
import importlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
import bnsidecar  # noqa: E402
from bnsidecar import Sidecar, connector_xml  # noqa: E402
from wanrelay import WanRelay  # noqa: E402

proc_cpu_s = importlib.import_module("bench-network").proc_cpu_s

BNBENCH = os.path.join(TOP, "bin", "bnbench")
RATE_MBIT = 10.0

# name, body, Mbit/s, RTT ms, count, msg/s (None: as fast as it goes), set-ups
ALL4 = ("native", "bn-zstd", "bn-plain", "bn-v1")
CASES = [
    ("JSON, 10 Mbit/s 40 ms", "json", 10, 40, 6000, None, ALL4),
    ("random, 10 Mbit/s 40 ms", "random", 10, 40, 4000, None, ALL4),
    ("random, 10 Mbit/s 10 ms", "random", 10, 10, 4000, None, ("native", "bn-zstd")),
    ("random, 10 Mbit/s 100 ms", "random", 10, 100, 4000, None, ("native", "bn-zstd")),
    ("JSON, 2 Mbit/s 40 ms", "json", 2, 40, 3000, None, ("native", "bn-zstd", "bn-plain")),
    ("JSON @ 50/s, 10 Mbit/s 40 ms", "json", 10, 40, 500, 50, ALL4),
]
SETUPS = ("native", "bn-zstd", "bn-plain", "bn-v1")


def log(msg):
    print("bench-wan: " + msg, file=sys.stderr, flush=True)


class Abort(Exception):
    pass


def run_bnbench(args, timeout_s):
    argv = [BNBENCH] + args + ["--timeout-s", str(int(timeout_s))]
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, text=True,
                         preexec_fn=bnharness._set_pdeathsig)
    try:
        o, e = p.communicate(timeout=timeout_s + 30)
    except subprocess.TimeoutExpired:
        p.kill()
        o, e = p.communicate()
    kv = {}
    for line in o.splitlines():
        k, sep, v = line.partition("=")
        if sep:
            kv[k.strip()] = v.strip()
    return p.returncode, kv, e


class Sampler(threading.Thread):
    """Messages in flight on A's link, from /status every 0.2 s."""

    def __init__(self, sidecar):
        super().__init__(daemon=True)
        self.s, self.vals, self.stop_ev = sidecar, [], threading.Event()

    def run(self):
        while not self.stop_ev.wait(0.2):
            try:
                l = self.s.link_to("B")
                if l is not None:
                    self.vals.append(l["inflight"])
            except Exception:
                pass


class Bench:
    def __init__(self, o):
        self.o = o
        self.base = tempfile.mkdtemp(prefix="bn-bench-wan-")
        self.brokers, self.sidecars, self.relays = {}, {}, {}
        self.results = []       # dicts
        self.failures = []
        self.cur = None         # brokernet set-up the sidecars run as
        self.seq = 0
        self.codec = []         # bnzbench summaries

    def start(self):
        nb = bnharness.Broker("NB", os.path.join(self.base, "NB"))
        a = bnharness.Broker("A", os.path.join(self.base, "A"))
        b = bnharness.Broker("B", os.path.join(self.base, "B"))
        bnharness.start_all(a, b, nb, timeout=90)
        rn = WanRelay(nb.openwire_port, RATE_MBIT * 1e6, 40).start()
        self.relays["native"] = rn
        na = bnharness.Broker("NA", os.path.join(self.base, "NA"),
                              extra_xml=bnharness.native_network_xml(
                                  "NA-to-NB", "tcp://127.0.0.1:%d" % rn.port,
                                  uri_options="initialReconnectDelay=500&maxReconnectDelay=2000"))
        bnharness.start_all(na, timeout=90)
        self.brokers = {"A": a, "B": b, "NA": na, "NB": nb}
        bnsidecar.wait_for(lambda: "has been established" in na.log_since_launch(), 60,
                           interval=0.2, what="native bridge NA -> NB through the relay")
        log("brokers up; native bridge NA -> relay -> NB established")

    def sidecars_as(self, setup):
        """(Re)starts sidecars A and B as the brokernet set-up wants them."""
        if self.cur == setup:
            return
        for s in self.sidecars.values():
            s.stop()
        binary = self.o.base_bin if setup == "bn-v1" else os.path.join(TOP, "bin", "brokernetd")
        bnsidecar.binary = lambda: binary
        old_b = self.sidecars.get("B")
        sb = Sidecar("B", self.base, self.brokers["B"],
                     link_port=old_b.link_port if old_b else None)
        if "bn" not in self.relays:
            self.relays["bn"] = WanRelay(sb.link_port, RATE_MBIT * 1e6, 40).start()
        opts = {}
        if setup != "bn-v1":
            opts["useCompression"] = setup == "bn-zstd"
        sa = Sidecar("A", self.base, self.brokers["A"],
                     [connector_xml("to-B", [self.relays["bn"].port], **opts)])
        self.sidecars = {"A": sa, "B": sb}
        sb.start()
        sa.start()
        l = sa.wait_link("B", timeout=30)
        self.cur = setup
        log("sidecars as %s (link encoding %s)" % (setup, l.get("encoding", "none (v1)")))

    def stop(self):
        for s in self.sidecars.values():
            try:
                s.stop()
            except Exception as e:
                log("stopping sidecar %s: %s" % (s.name, e))
        for r in self.relays.values():
            r.stop()
        bnharness.stop_all(list(self.brokers.values()))

    def run_one(self, rep, case, setup, warm=False):
        name, body, mbit, rtt, count, rate, _ = case
        self.seq += 1
        if setup != "native":
            self.sidecars_as(setup)
        relay = self.relays["native" if setup == "native" else "bn"]
        relay.rate_bps = mbit * 1e6
        relay.delay_s = rtt / 2000.0
        relay.queue_bytes = int(relay.rate_bps / 8 * rtt / 1000.0) + 65536
        prod, cons = ("NA", "NB") if setup == "native" else ("A", "B")
        queue = "wan.%s.r%d.%d" % (setup, rep, self.seq)
        args = ["run", "--producer-broker", self.brokers[prod].stomp_uri,
                "--consumer-broker", self.brokers[cons].stomp_uri, "--queue", queue,
                "--count", str(count), "--size", "1024", "--body", body, "--persistent",
                "--window", "1000", "--prefetch", "1000",
                "--warmup-ms", "3000" if setup == "native" else "2000", "-q"]
        args += ["--rate", str(rate)] if rate else ["--producers", "4"]
        st0 = relay.stats()
        cpu0 = {n: proc_cpu_s(s.proc.pid) for n, s in self.sidecars.items()} \
            if setup != "native" else {}
        sampler = None
        if setup != "native":
            sampler = Sampler(self.sidecars["A"])
            sampler.start()
        t0 = time.monotonic()
        rc, kv, err = run_bnbench(args, 60 + count / 50)
        if setup != "native":
            # the stored-acks trail the consumer: let them in the CPU window
            time.sleep(0.5)
            sampler.stop_ev.set()
            sampler.join()
        st1 = relay.stats()
        r = {"rep": rep, "case": name, "setup": setup, "count": count,
             "rate": float(kv.get("msgs_per_s", 0) or 0),
             "p50": float(kv["lat_p50_ms"]) if "lat_p50_ms" in kv else None,
             "p99": float(kv["lat_p99_ms"]) if "lat_p99_ms" in kv else None,
             "a2b": (st1["a2b"] - st0["a2b"]) / count,
             "b2a": (st1["b2a"] - st0["b2a"]) / count,
             "rtt": rtt, "mbit": mbit, "elapsed": time.monotonic() - t0}
        if setup != "native":
            for n, s in self.sidecars.items():
                c1 = proc_cpu_s(s.proc.pid)
                if cpu0.get(n) is not None and c1 is not None:
                    r["cpu_" + n] = (c1 - cpu0[n]) / count * 1e6
            v = sorted(sampler.vals)
            if v:
                r["inflight_max"] = v[-1]
                r["inflight_med"] = v[len(v) // 2]
        ok = rc == 0 and kv.get("distinct") == str(count) and kv.get("corrupt") == "0"
        r["ok"] = ok
        if not ok:
            r["why"] = "rc %s distinct %s corrupt %s missing %s: %s" % (
                rc, kv.get("distinct"), kv.get("corrupt"), kv.get("missing"),
                " | ".join(err.strip().splitlines()[-3:]))
        log("%s rep %d %-26s %-8s %s %7.0f msg/s  wire %6.0f / %5.0f B/msg  cpu %s  p50 %s"
            % ("warm" if warm else "run ", rep, name, setup, "ok  " if ok else "FAIL",
               r["rate"], r["a2b"], r["b2a"],
               "/".join("%.0f" % r[k] for k in ("cpu_A", "cpu_B") if k in r) or "-",
               "%.1f" % r["p50"] if r["p50"] is not None else "-"))
        if not ok:
            log("  " + r["why"])
        if not warm:
            self.results.append(r)
            if not ok:
                self.failures.append(r)
        return r

    def run(self):
        setups = [s for s in SETUPS if s != "bn-v1" or self.o.base_bin]
        cases = [c for c in CASES if not self.o.cases or c[0] in self.o.cases.split(";")]
        if self.o.quick:
            cases = [(n, b, m, rtt, max(200, c // 10), r, s) for n, b, m, rtt, c, r, s in cases]
        if not self.o.quick:
            log("---- warm-up (not measured)")
            for setup in setups:
                self.run_one(0, ("warm-up", "json", 10, 40, 3000, None, SETUPS), setup,
                             warm=True)
        for rep in range(1, self.o.reps + 1):
            log("---- repetition %d of %d" % (rep, self.o.reps))
            # alternate the order of the set-ups from one repetition to the next
            order = setups if rep % 2 else list(reversed(setups))
            for setup in order:
                for case in cases:
                    if setup in case[6]:
                        self.run_one(rep, case, setup)
        for body in ("json", "random"):
            for burst in ("1", "50"):
                p = subprocess.run([os.path.join(TOP, "bin", "bnzbench"), "--count", "20000",
                                    "--body", body, "--burst", burst],
                                   capture_output=True, text=True)
                self.codec.append(dict(l.split("=", 1) for l in p.stdout.split()))


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rng(xs):
    xs = [x for x in xs if x is not None]
    return "[%.0f-%.0f]" % (min(xs), max(xs)) if len(xs) > 1 else ""


def report(bench, o, t_start):
    R = bench.results
    out = []
    w = out.append

    def sel(case, setup):
        return [r for r in R if r["case"] == case and r["setup"] == setup and r["ok"]]

    w("# bench-wan: brokernet and ActiveMQ's bridge over an emulated WAN link\n")
    w("%s, commit %s; %d repetitions; link %.0f Mbit/s per direction (tools/wanrelay.py, "
      "user space), RTT per case; persistent messages, 4 producer connections "
      "(low-load case: one, 50 msg/s), prefetch 1000. Medians [min-max]. Wire bytes: TCP "
      "payload through the relay, per message, forward (A->B) / back (B->A). CPU: "
      "sidecar CPU per message, sending / receiving sidecar. %s\n" % (
          time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(t_start)),
          subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                         capture_output=True, text=True).stdout.strip(), o.reps,
          RATE_MBIT, "bn-v1: brokernetd of %s." % o.base_rev if o.base_bin else ""))
    w("| case | set-up | msg/s | x native | wire B/msg fwd | back | link use | sidecar CPU "
      "us/msg (A / B) | in flight (median / max) |")
    w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for case in CASES:
        if case[5]:
            continue
        nat = med([r["rate"] for r in sel(case[0], "native")])
        for setup in SETUPS:
            rs = sel(case[0], setup)
            if not rs:
                continue
            rate = med([r["rate"] for r in rs])
            cpu = ("%.0f / %.0f" % (med([r.get("cpu_A") for r in rs]),
                                    med([r.get("cpu_B") for r in rs]))
                   if setup != "native" else "")
            infl = ("%.0f / %.0f" % (med([r.get("inflight_med") for r in rs]),
                                     med([r.get("inflight_max") for r in rs]))
                    if setup != "native" and rs[0].get("inflight_max") is not None else "")
            a2b = med([r["a2b"] for r in rs])
            w("| %s | %s | %.0f %s | %s | %.0f | %.0f | %.0f %% | %s | %s |" % (
                case[0], setup, rate, rng([r["rate"] for r in rs]),
                "%.2f" % (rate / nat) if nat else "", a2b,
                med([r["b2a"] for r in rs]), 100.0 * rate * a2b * 8 / (case[2] * 1e6),
                cpu, infl))
    w("\nLow load (one producer, 50 msg/s, JSON 1 KiB, RTT 40 ms: one-way delay 20 ms):\n")
    w("| set-up | p50 ms | p99 ms | p50 minus one-way delay | wire B/msg fwd |")
    w("|---|---:|---:|---:|---:|")
    for case in CASES:
        if not case[5]:
            continue
        for setup in SETUPS:
            rs = sel(case[0], setup)
            if rs:
                p50 = med([r["p50"] for r in rs])
                w("| %s | %.2f | %.2f | %+.2f | %.0f |" % (
                    setup, p50, med([r["p99"] for r in rs]), p50 - case[3] / 2.0,
                    med([r["a2b"] for r in rs])))
    if bench.codec:
        w("\nThe codec alone (bin/bnzbench, 20,000 x 1 KiB, one compressor and one "
          "decompressor; flushed after every message, or after bursts of 50):\n")
        w("| body | flush every | compress us/msg | decompress us/msg | bytes/msg |")
        w("|---|---:|---:|---:|---:|")
        for kv in bench.codec:
            w("| %s | %s | %s | %s | %s |" % (kv["body"], kv["burst"],
                                              kv["compress_us_per_msg"],
                                              kv["decompress_us_per_msg"],
                                              kv["bytes_per_msg"]))
        w("\nMemory per compressed link: compressor %s bytes, decompressor %s bytes."
          % (bench.codec[0]["compressor_bytes"], bench.codec[0]["decompressor_bytes"]))
    w("\nLoad average at the end: %s." % " ".join(open("/proc/loadavg").read().split()[:3]))
    if bench.failures:
        w("\nFailed runs (not in the medians):\n")
        for r in bench.failures:
            w("- rep %d %s %s: %s" % (r["rep"], r["case"], r["setup"], r.get("why")))
    text = "\n".join(out) + "\n"
    print(text)
    with open(o.out, "w") as f:
        f.write(text)
    with open(o.out + ".json", "w") as f:
        json.dump({"results": R, "codec": bench.codec}, f, indent=1)
    log("report written to %s" % o.out)


def main():
    ap = argparse.ArgumentParser(description="WAN benchmark: native bridge vs brokernet")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="counts / 10, no warm-up")
    ap.add_argument("--base-bin", help="brokernetd of the base revision (set-up bn-v1)")
    ap.add_argument("--base-rev", default="main")
    ap.add_argument("--cases", default="",
                    help="';'-separated case names to run (default: all), e.g. "
                    "'JSON @ 50/s, 10 Mbit/s 40 ms'")
    ap.add_argument("--out", default=os.path.join(TOP, "tests", "out", "bench-wan.md"))
    o = ap.parse_args()
    if o.base_bin and not os.access(o.base_bin, os.X_OK):
        ap.error("--base-bin %s is not an executable" % o.base_bin)
    os.makedirs(os.path.dirname(o.out), exist_ok=True)

    def on_term(signum, frame):
        raise Abort("signal %d" % signum)
    signal.signal(signal.SIGTERM, on_term)
    t0 = time.time()
    bench = Bench(o)
    try:
        bench.start()
        bench.run()
    except (Abort, KeyboardInterrupt) as e:
        log("interrupted: %s" % e)
    finally:
        bench.stop()
    report(bench, o, t0)
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
