#!/usr/bin/env python3
"""bench-network: throughput, latency and sidecar cost of brokernet against
one ActiveMQ broker alone (the limit) and ActiveMQ's own network bridge.

One run, on 127.0.0.1 only:
  brokers A and B (plain) with brokernetd sidecars beside them (A's connector
  dials B), and brokers NA and NB where NA has a native <networkConnector> to NB.
  Set-ups, interleaved in every repetition:
    limit      producer and consumer on A (one broker alone)
    native     producer on NA, consumer on NB (ActiveMQ's bridge)
    brokernet  producer on A, consumer on B (through sidecar A -> sidecar B)
  Cases: persistent / non-persistent x 1 KiB / 64 KiB (throughput, --producers
  connections, default 4), and persistent and non-persistent 1 KiB at 100
  and 1,000 msg/s (latency, one producer: p50/p90/p99/max and a histogram).  CPU seconds of the sidecars and
  of the brokers of each set-up are taken from /proc for every run.

Every run uses a fresh queue and is checked (distinct == count, missing == 0,
corrupt == 0); a failed run shows as FAILED.  Prints Markdown to stdout and
writes it to tests/out/bench-network.md.  Everything started is stopped by PID,
also on Ctrl-C, SIGTERM or failure.

    tools/bench-network.py [--reps N] [--scale F] [--quick] [--setups LIST]
                           [--producers N] [--queues N] [--no-warmup]
                           [--broker-heap SIZE] [--broker-proto stomp|openwire]
                           [--run-timeout S]
                           [--out FILE] [--keep]

A failed run is drained (what it left on its brokers is consumed) and the brokers
it used are restarted, so that one failure does not spoil the runs after it; a
broker that stops answering or logs OutOfMemoryError is restarted before its next
run.  Both are listed under "Failures and notes".
"""

import argparse
import datetime
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TOOLS)
sys.path.insert(0, TOOLS)

import bnharness  # noqa: E402
import bnsidecar  # noqa: E402
from bnsidecar import Sidecar, connector_xml  # noqa: E402
from bnbenchlib import (  # noqa: E402
    BNBENCH, HIST_EDGES, _children, proc_cpu_s, proc_mem_kb, git_commit,
    file_sha, loadavg, other_java, activemq_version, run_bnbench_many, run_bnbench,
    merge_summaries, parse_hist, kv_num)

SETUPS = ("limit", "native", "brokernet")
WARMUP_MS = {"limit": 1000, "native": 3000, "brokernet": 2000}
# The brokers each set-up uses: the producer's first, the consumer's last.
SETUP_BROKERS = {"limit": ("A",), "native": ("NA", "NB"), "brokernet": ("A", "B")}

# name, persistent, size, count at --scale 1, rate (None: as fast as possible)
# Counts: ~3-15 s per run on a 2-core machine (measured here: one broker ~3k msg/s
# persistent 1 KiB with a window of 1000, as KahaDB batches the journal fsyncs
# of concurrent sends; ~18k msg/s non-persistent 1 KiB).
THROUGHPUT_CASES = [
    ("persistent 1 KiB", True, 1024, 12000, None),
    ("non-persistent 1 KiB", False, 1024, 60000, None),
    ("persistent 64 KiB", True, 65536, 8000, None),
    ("non-persistent 64 KiB", False, 65536, 10000, None),
]
LATENCY_CASES = [
    ("persistent 1 KiB @ 100/s", True, 1024, 1000, 100),
    ("persistent 1 KiB @ 1000/s", True, 1024, 5000, 1000),
    ("non-persistent 1 KiB @ 100/s", False, 1024, 1000, 100),
    ("non-persistent 1 KiB @ 1000/s", False, 1024, 5000, 1000),
]
# JIT: measured here, a fresh broker pair forwards non-persistent 1 KiB about half
# as fast as after ~200k messages; these passes are not reported.
WARMUP_CASES = [
    ("warm-up persistent 1 KiB", True, 1024, 5000, None),
    ("warm-up non-persistent 1 KiB", False, 1024, 40000, None),
    ("warm-up non-persistent 64 KiB", False, 65536, 1000, None),
]
QUICK_DIVISOR = 20          # --quick: counts / 20, one repetition
MIN_COUNT = 100

WINDOW = 1000
PREFETCH = 1000
# Producer connections of a throughput run (--producers). One STOMP connection's
# receipted persistent SENDs are stored one after the other (measured here: ~2-2.6k
# msg/s, one journal fsync each); several let KahaDB batch the fsyncs (~8-9k msg/s),
# which is what the "one broker ~10k msg/s" is.
PRODUCERS = 4


def log(msg):
    print("bench-network: " + msg, file=sys.stderr, flush=True)


class Abort(Exception):
    pass


def _on_sigterm(signum, frame):
    raise Abort("terminated by signal %d" % signum)


# ------------------------------------------------------------ the bench

class Result:
    def __init__(self, rep, case, setup, count):
        self.rep, self.case, self.setup, self.count = rep, case, setup, count
        self.ok = False
        self.reason = ""
        self.rate = self.p50 = self.p90 = self.p99 = self.pmax = None
        self.hist = []
        self.duplicates = 0
        self.elapsed = None
        self.cpu = {}           # sidecar name -> CPU seconds during the run
        self.bcpu = {}          # broker name -> CPU seconds during the run
        self.kv = {}


class Bench:
    def __init__(self, opts):
        self.o = opts
        self.base = tempfile.mkdtemp(prefix="bn-bench-net-")
        self.brokers = {}
        self.sidecars = {}
        self.results = []
        self.failures = []      # (Result, text)
        self.notes = []
        self.mem, self.sidecar_alive, self.health = {}, {}, {}
        self.cases_t, self.cases_l = [], []
        self.interrupted = None
        self.seq = 0
        self.log_off = {}
        self.tag = "%x" % (int(time.time()) & 0xffffff)

    # -- set-up
    def start(self):
        nb = bnharness.Broker("NB", os.path.join(self.base, "NB"))
        na = bnharness.Broker("NA", os.path.join(self.base, "NA"), extra_xml=bnharness.native_network_xml(
            "NA-to-NB", nb, uri_options="initialReconnectDelay=500&maxReconnectDelay=2000"))
        a = bnharness.Broker("A", os.path.join(self.base, "A"))
        b = bnharness.Broker("B", os.path.join(self.base, "B"))
        self.brokers = {"A": a, "B": b, "NA": na, "NB": nb}
        for n in self.brokers:
            self.log_off[n] = 0
        log("starting brokers A, B, NA, NB in %s" % self.base)
        t0 = time.monotonic()
        bnharness.start_all(a, b, nb, na, timeout=90)
        log("brokers up in %.1f s: %s" % (time.monotonic() - t0, ", ".join(
            "%s stomp=%d" % (n, x.stomp_port) for n, x in self.brokers.items())))
        # ActiveMQ's bridge NA -> NB
        bnsidecar.wait_for(lambda: "has been established" in na.log_since_launch(), 60,
                           interval=0.2, what="native bridge NA -> NB established (NA's log)")
        log("native bridge NA -> NB established")
        attrs = self.o.sidecar_attrs
        sb = Sidecar("B", self.base, b, extra_root_attrs=attrs)
        sa = Sidecar("A", self.base, a, [connector_xml("to-B", [sb.link_port])],
                     extra_root_attrs=attrs)
        self.sidecars = {"A": sa, "B": sb}
        sb.start()
        sa.start()
        sa.wait_link("B", timeout=30)
        log("sidecars up, link A -> B up (pids A=%d B=%d)" % (sa.proc.pid, sb.proc.pid))

    def stop(self):
        for s in self.sidecars.values():
            try:
                s.stop()
            except Exception as e:  # keep stopping the rest
                log("stopping sidecar %s: %s" % (s.name, e))
        bnharness.stop_all(list(self.brokers.values()))

    # -- helpers
    def sidecar_cpu(self):
        return {n: (proc_cpu_s(s.proc.pid) if s.running() else None)
                for n, s in self.sidecars.items()}

    def broker_cpu(self, setup):
        names = SETUP_BROKERS[setup]
        return {n: (proc_cpu_s(self.brokers[n].pid) if self.brokers[n].pid else None)
                for n in names}

    def broker_trouble(self, n):
        """Why broker n cannot be used as it is (None when healthy)."""
        b = self.brokers[n]
        if not b.is_running():
            return "process exited"
        new = self.new_log(n)
        if "OutOfMemoryError" in new:
            return "java.lang.OutOfMemoryError in its log"
        if not bnharness.stomp_ping(b.stomp_port, timeout=5.0):
            return "STOMP CONNECT not answered within 5 s"
        return None

    def new_log(self, n):
        """activemq.log text of broker n written since the last call."""
        b = self.brokers[n]
        try:
            with open(b.log_path, "rb") as f:
                f.seek(self.log_off.get(n, 0))
                data = f.read()
                self.log_off[n] = f.tell()
            return data.decode("utf-8", "replace")
        except OSError:
            return ""

    def restart_broker(self, n, why):
        """Stop (SIGKILL after 20 s) and start broker n again on the same ports and data."""
        b = self.brokers[n]
        tail = "\n".join(l for l in bnharness._tail(b.log_path, 400).splitlines()
                         if "| WARN" in l or "| ERROR" in l)
        tail = "\n".join(tail.splitlines()[-12:])
        log("broker %s: %s: restarting it" % (n, why))
        b.stop(timeout=20)
        b.start(timeout=90)
        self.log_off[n] = 0
        self.new_log(n)
        if n == "NA":
            bnsidecar.wait_for(lambda: "has been established" in b.log_since_launch(), 60,
                               interval=0.2, what="native bridge NA -> NB re-established")
        if n in self.sidecars:
            s = self.sidecars[n]
            if s.running():
                bnsidecar.wait_for(lambda: s.status()["broker"]["state"] == "connected", 60,
                                   interval=0.2, what="sidecar %s back on broker %s" % (n, n))
        self.notes.append("Broker %s restarted at run %d (%s). Its last warnings/errors:\n%s"
                          % (n, self.seq, why, tail or "(none)"))

    def ensure_up(self, setup):
        need = SETUP_BROKERS[setup]
        for n in need:
            why = self.broker_trouble(n)
            if why:
                try:
                    self.restart_broker(n, why)
                except Exception as e:
                    return "broker %s unusable (%s) and could not be restarted: %s" % (n, why, e)
        if setup == "brokernet":
            for n, s in self.sidecars.items():
                if not s.running():
                    tail = s.log_tail(30)
                    self.notes.append("sidecar %s had exited (rc %s) before a brokernet run; "
                                      "restarted it. Log tail:\n%s"
                                      % (n, s.proc.returncode if s.proc else "?", tail))
                    log("sidecar %s not running: restarting" % n)
                    try:
                        s.start()
                    except Exception as e:
                        return "sidecar %s could not be restarted: %s" % (n, e)
            try:
                self.sidecars["A"].wait_link("B", timeout=30)
            except Exception as e:
                return "link A -> B not up: %s" % e
        return None

    def drain(self, res, queue, setup):
        """After a failed run: consume what it left behind, so that the next run on the
        same brokers does not pay for it (stranded non-persistent messages fill the heap)."""
        names = reversed(SETUP_BROKERS[setup])     # the consumer's broker first
        left = []
        for n in names:
            b = self.brokers[n]
            if not b.is_running():
                continue
            rc, kv, _ = run_bnbench(["consume", "--broker", b.stomp_uri, "--queue", queue,
                                     "--count", str(res.count), "--idle-timeout", "3000",
                                     "--prefetch", "1000", "-q"], 120,
                                    os.path.join(self.base, "drain-%03d-%s.txt" % (self.seq, n)))
            got = int(kv_num(kv, "received", 0))
            if got:
                left.append("%d on %s" % (got, n))
        msg = "drained after the run: %s" % (", ".join(left) or "nothing left")
        log("  " + msg)
        return msg

    def forward_acked(self):
        try:
            return self.sidecars["A"].status()["counters"]["forward_acked"]
        except Exception:
            return None

    def run_one(self, rep, case, setup, warm=False):
        name, persistent, size, count, rate = case
        self.seq += 1
        slug = name.split(" @")[0].replace(" ", "-").replace("non-persistent", "np").replace(
            "persistent", "p").lower()
        queue = "bench.%s.%s.%s.r%d.%d" % (self.tag, setup, slug, rep, self.seq)
        res = Result(rep, name, setup, count)
        err = self.ensure_up(setup)
        if err:
            res.reason = err
            if not warm:
                self.results.append(res)
                self.failures.append((res, err))
            log("rep %d %-30s %-9s FAILED: %s" % (rep, name, setup, err))
            return res
        prod, cons = SETUP_BROKERS[setup][0], SETUP_BROKERS[setup][-1]
        # --queues N: N bnbench processes side by side, one queue each, the count and
        # the producer connections split between them (latency runs: one queue).
        nq = 1 if rate else self.o.queues
        queues = [queue] if nq == 1 else ["%s.q%d" % (queue, i) for i in range(nq)]
        runs = []
        for i, q in enumerate(queues):
            args = ["run", "--producer-broker", self.brokers[prod].stomp_uri,
                    "--consumer-broker", self.brokers[cons].stomp_uri,
                    "--queue", q, "--count", str(count // nq + (1 if i < count % nq else 0)),
                    "--size", str(size),
                    "--persistent" if persistent else "--non-persistent",
                    "--window", str(self.o.window), "--prefetch", str(PREFETCH),
                    "--warmup-ms", str(WARMUP_MS[setup]), "-q"]
            if rate:
                args += ["--rate", str(rate)]
            else:
                args += ["--producers", str(max(1, self.o.producers // nq))]
            runs.append((args, os.path.join(self.base, "run-%03d-%s%s.txt" % (
                self.seq, setup, "" if nq == 1 else "-q%d" % i))))
        # Bound: 60 s plus the count at 100 msg/s persistent / 500 msg/s otherwise (that is
        # 5-20x below what one broker does here): a slower run is reported as FAILED.
        floor = 100.0 if persistent else 500.0
        if rate:
            floor = min(floor, rate / 2.0)
        timeout_s = min(self.o.run_timeout, 60 + count / floor)
        fa0 = self.forward_acked() if setup == "brokernet" else None
        cpu0 = self.sidecar_cpu()
        bcpu0 = self.broker_cpu(setup)
        t0 = time.monotonic()
        outs = run_bnbench_many(runs, timeout_s)
        rc = next((o[0] for o in outs if o[0] != 0), 0)
        kv = merge_summaries([o[1] for o in outs])
        errtext = "\n".join(o[2] for o in outs)
        args = runs[0][0]
        res.elapsed = time.monotonic() - t0
        if setup == "brokernet" and fa0 is not None:
            # The acks back to A trail the consumer a little: include them in the CPU window.
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline:
                fa = self.forward_acked()
                if fa is None or fa - fa0 >= count:
                    break
                time.sleep(0.05)
        cpu1 = self.sidecar_cpu()
        bcpu1 = self.broker_cpu(setup)
        for n in cpu0:
            if cpu0[n] is not None and cpu1[n] is not None:
                res.cpu[n] = cpu1[n] - cpu0[n]
        for n in bcpu0:
            if bcpu0[n] is not None and bcpu1[n] is not None:
                res.bcpu[n] = bcpu1[n] - bcpu0[n]
        res.kv = kv
        res.rate = kv_num(kv, "msgs_per_s")
        res.p50, res.p99, res.pmax = (kv_num(kv, "lat_p50_ms"), kv_num(kv, "lat_p99_ms"),
                                      kv_num(kv, "lat_max_ms"))
        res.p90 = kv_num(kv, "lat_p90_ms")
        res.hist = parse_hist(kv.get("lat_hist", ""))
        res.duplicates = int(kv_num(kv, "duplicates", 0))
        distinct = kv_num(kv, "distinct")
        missing = kv_num(kv, "missing")
        corrupt = kv_num(kv, "corrupt")
        problems = []
        if distinct is None:
            problems.append("no summary from bnbench (rc %s)" % rc)
        else:
            if distinct != count:
                problems.append("distinct=%d of %d" % (distinct, count))
            if missing:
                problems.append("missing=%d" % missing)
            if corrupt:
                problems.append("corrupt=%d" % corrupt)
            if kv.get("timed_out") == "1":
                problems.append("timed out after %d s" % timeout_s)
        if rc not in (0, None) and not problems:
            problems.append("bnbench exit %s" % rc)
        res.ok = not problems
        res.reason = "; ".join(problems)
        if warm:
            if not res.ok:
                self.notes.append("Warm-up run (not measured) %s on %s FAILED: %s"
                                  % (name, setup, res.reason))
                for q in queues:
                    self.drain(res, q, setup)
            log("warm-up %-30s %-9s %s %s msg/s" % (name, setup, "ok" if res.ok else
                                                    "FAILED " + res.reason, fmt_rate(res.rate)))
            return res
        self.results.append(res)
        if not res.ok:
            text = "bnbench %s\nexit %s; summary: %s\nstderr tail:\n%s" % (
                " ".join(args), rc, " ".join("%s=%s" % kv_ for kv_ in kv.items()),
                "\n".join(errtext.splitlines()[-15:]))
            if setup == "brokernet":
                for n, s in self.sidecars.items():
                    text += "\n--- sidecar %s log tail (%s):\n%s" % (n, s.log_path, s.log_tail(30))
                    try:
                        st = s.status()
                        text += "\n--- sidecar %s counters: %s" % (n, st.get("counters"))
                    except Exception as e:
                        text += "\n--- sidecar %s /status: %s" % (n, e)
            text += "\n" + "\n".join(self.drain(res, q, setup) for q in queues)
            self.failures.append((res, text))
            # A failed run can leave a broker short of heap (stranded messages, unacked
            # deliveries): restart the brokers it used so the next run starts clean.
            for n in SETUP_BROKERS[setup]:
                try:
                    self.restart_broker(n, "clean slate after the FAILED run")
                except Exception as e:
                    log("broker %s restart failed: %s" % (n, e))
        log("rep %d %-30s %-9s %s %9s msg/s p50 %s ms p99 %s ms dup %d  (%.1f s)%s" % (
            rep, name, setup, "ok    " if res.ok else "FAILED", fmt_rate(res.rate),
            fmt_ms(res.p50), fmt_ms(res.p99), res.duplicates, res.elapsed,
            "" if res.ok else "  " + res.reason))
        return res

    def run(self):
        cases_t = picked(scaled(THROUGHPUT_CASES, self.o), self.o)
        cases_l = picked(scaled(LATENCY_CASES, self.o), self.o)
        self.cases_t, self.cases_l = cases_t, cases_l
        if not self.o.no_warmup:
            # JIT warm-up of every broker and both sidecars: small runs, not reported.
            log("---- warm-up pass (not measured)")
            for case in WARMUP_CASES:
                for setup in SETUPS:
                    if setup in self.o.setups:
                        self.run_one(0, case, setup, warm=True)
        for rep in range(1, self.o.reps + 1):
            log("---- repetition %d of %d" % (rep, self.o.reps))
            for case in cases_t + cases_l:
                for setup in SETUPS:
                    if setup in self.o.setups:
                        self.run_one(rep, case, setup)

    def capture_health(self):
        """Counts of trouble in the logs: sidecar broker sessions lost, broker warnings."""
        h = {}
        for n, sc in self.sidecars.items():
            t = sc.log_text()
            h["sidecar " + n] = "broker session lost %d x, store session lost %d x, link " \
                                "warnings %d" % (t.count("warn: broker: lost"),
                                                 t.count("warn: broker-store: lost"),
                                                 sum(1 for l in t.splitlines()
                                                     if "warn: link" in l))
        for n, b in self.brokers.items():
            t = b.log_text()
            h["broker " + n] = "'Channel was inactive' closes %d, OutOfMemoryError %d" % (
                t.count("Channel was inactive"), t.count("OutOfMemoryError"))
        self.health = h

    def capture_mem(self):
        self.mem = {n: proc_mem_kb(s.proc.pid) if s.running() else (None, None)
                    for n, s in self.sidecars.items()}
        self.sidecar_alive = {n: s.running() for n, s in self.sidecars.items()}


def picked(cases, o):
    want = [x.strip() for x in o.cases.split(",") if x.strip()]

    def hit(w, name):
        return name.startswith(w[:-1]) if w.endswith("*") else name == w
    return [c for c in cases if not want or any(hit(w, c[0]) for w in want)]


def scaled(cases, o):
    out = []
    for name, persistent, size, count, rate in cases:
        if rate:
            n = count if not o.quick else max(MIN_COUNT, count // 4)
        else:
            n = count * o.scale
            if o.quick:
                n = n / QUICK_DIVISOR
        out.append((name, persistent, size, max(MIN_COUNT, int(round(n))), rate))
    return out


# ------------------------------------------------------------ report

def fmt_rate(v):
    return "-" if v is None else ("%.0f" % v)


def fmt_ms(v):
    return "-" if v is None else ("%.2f" % v if v < 10 else "%.1f" % v)


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def cell_rate(rs):
    """Median msg/s [min-max] over the successful runs; FAILED when any failed."""
    ok = [r.rate for r in rs if r.ok and r.rate is not None]
    nfail = sum(1 for r in rs if not r.ok)
    if not ok:
        return "FAILED" if rs else "-"
    s = fmt_rate(statistics.median(ok))
    if len(ok) > 1:
        s += " [%s-%s]" % (fmt_rate(min(ok)), fmt_rate(max(ok)))
    if nfail:
        s += " (%d/%d FAILED)" % (nfail, len(rs))
    return s


def pick(results, case, setup):
    return [r for r in results if r.case == case and r.setup == setup]


def med_ok(rs, attr):
    return med([getattr(r, attr) for r in rs if r.ok])


def report(bench, info):
    o = bench.o
    R = bench.results
    L = []
    L.append("# brokernet network benchmark")
    L.append("")
    L.append("- date: %s" % info["date"])
    L.append("- sidecars' broker sessions: %s" % bnsidecar.BROKER_PROTO)
    L.append("- git commit: %s; bin/brokernetd sha256 %s; bin/bnbench sha256 %s"
             % (info["commit"], info["sha_daemon"], info["sha_bnbench"]))
    L.append("- machine: nproc %s, load average at start %s, at end %s; other java processes "
             "at start: %s; %s" % (info["nproc"], info["load"], info.get("load_end", "?"),
                                   info.get("other_java", "?"), info["uname"]))
    L.append("- ActiveMQ %s (KahaDB default: journal fsync per persistent message), JVM opts %s"
             % (info["amq"], " ".join(bnharness.JVM_OPTS)))
    L.append("- bnbench: throughput runs %d producer connection(s) (each with --window %d) on "
             "%d queue(s)%s, latency runs one producer on one queue; --prefetch %d; warm-up "
             "limit %d ms, native %d ms, brokernet %d ms; every run fresh queues" % (
                 o.producers, o.window, o.queues,
                 " (one bnbench per queue, side by side; msg/s summed, latency the worst)"
                 if o.queues > 1 else "", PREFETCH, WARMUP_MS["limit"], WARMUP_MS["native"],
                 WARMUP_MS["brokernet"]))
    L.append("- set-ups: limit = producer and consumer on broker A; native = producer on NA, "
             "consumer on NB, ActiveMQ networkConnector NA->NB (TTL 1, prefetch 1000); "
             "brokernet = producer on A, consumer on B, sidecar A dials sidecar B "
             "(sidecars run throughout, also during limit runs)")
    L.append("- warm-up: %s" % ("none" if o.no_warmup else "one unmeasured pass first (%s on "
                                "every set-up)" % ", ".join("%s x%d" % (c[0][8:], c[3])
                                                           for c in WARMUP_CASES)))
    L.append("- repetitions: %d (interleaved: each repetition runs every case on limit, native, "
             "brokernet in turn); medians [min-max] of the successful runs%s; total %.0f s"
             % (o.reps, "; --quick" if o.quick else
                ("; --scale %g" % o.scale if o.scale != 1 else ""), info["duration"]))
    if bench.interrupted:
        L.append("- **INCOMPLETE: %s** (the tables hold the runs done before)" % bench.interrupted)
    L.append("")
    L.append("## Throughput (msg/s, consumer side, from first send to last receive)")
    L.append("")
    L.append("| case | count | limit msg/s | native msg/s | brokernet msg/s | brokernet/native"
             " | brokernet/limit | duplicates (l/n/b) |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, _, _, count, _ in bench.cases_t:
        rs = {s: pick(R, name, s) for s in SETUPS}
        m = {s: med_ok(rs[s], "rate") for s in SETUPS}
        bn_nat = "%.2f" % (m["brokernet"] / m["native"]) if m["brokernet"] and m["native"] else "-"
        bn_lim = "%.2f" % (m["brokernet"] / m["limit"]) if m["brokernet"] and m["limit"] else "-"
        dups = "/".join(str(sum(r.duplicates for r in rs[s])) for s in SETUPS)
        L.append("| %s | %d | %s | %s | %s | %s | %s | %s |" % (
            name, count, cell_rate(rs["limit"]), cell_rate(rs["native"]),
            cell_rate(rs["brokernet"]), bn_nat, bn_lim, dups))
    L.append("")
    L.append("## Latency at low load (ms, producer send to consumer receive, median of runs)")
    L.append("")
    L.append("Added = the set-up's percentile minus the limit's (one broker, no hop).")
    L.append("")
    L.append("| load | set-up | p50 | p90 | p99 | max | added p50 | added p99 | msg/s |")
    L.append("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, _, _, count, _ in bench.cases_l:
        rs = {s: pick(R, name, s) for s in SETUPS}
        lim = {k: med_ok(rs["limit"], k) for k in ("p50", "p99")}
        for st in SETUPS:
            if not rs[st]:
                continue
            if not any(r.ok for r in rs[st]):
                L.append("| %s | %s | FAILED | | | | | | |" % (name, st))
                continue
            m = {k: med_ok(rs[st], k) for k in ("p50", "p90", "p99", "pmax", "rate")}
            add = ["%+.2f" % (m[k] - lim[k]) if st != "limit" and m[k] is not None and
                   lim[k] is not None else "" for k in ("p50", "p99")]
            nfail = sum(1 for r in rs[st] if not r.ok)
            L.append("| %s | %s%s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, st, " (%d/%d FAILED)" % (nfail, len(rs[st])) if nfail else "",
                fmt_ms(m["p50"]), fmt_ms(m["p90"]), fmt_ms(m["p99"]), fmt_ms(m["pmax"]),
                add[0], add[1], fmt_rate(m["rate"])))
    L.append("")
    L.append("Histogram: messages per latency bucket, all repetitions summed (upper bounds in ms).")
    L.append("")
    L.append("| load | set-up | " + " | ".join("<=" + e for e in HIST_EDGES) +
             " | >" + HIST_EDGES[-1] + " |")
    L.append("|---|---|" + "---:|" * (len(HIST_EDGES) + 1))
    for name, _, _, count, _ in bench.cases_l:
        for st in SETUPS:
            hs = [r.hist for r in pick(R, name, st) if r.ok and getattr(r, "hist", None)]
            if not hs:
                continue
            tot = [sum(h[i] for h in hs) for i in range(len(HIST_EDGES) + 1)]
            L.append("| %s | %s | %s |" % (name, st, " | ".join(str(x) for x in tot)))
    L.append("")
    L.append("## Sidecar cost (brokernet set-up)")
    L.append("")
    L.append("CPU = utime+stime from /proc/PID/stat, delta over each run (until sidecar A's "
             "forward_acked caught up), per 10,000 messages; median of runs.")
    L.append("")
    L.append("| case | sidecar A CPU s/10k | sidecar B CPU s/10k | both s/10k | brokernet msg/s |")
    L.append("|---|---:|---:|---:|---:|")
    for name, _, _, count, _ in bench.cases_t + bench.cases_l:
        rs = [r for r in pick(R, name, "brokernet") if r.ok]
        per = {}
        for n in ("A", "B"):
            per[n] = med([r.cpu.get(n) / (r.count / 1e4) for r in rs if n in r.cpu])
        both = med([(r.cpu["A"] + r.cpu["B"]) / (r.count / 1e4) for r in rs
                    if "A" in r.cpu and "B" in r.cpu])
        f = lambda v: "-" if v is None else "%.3f" % v  # noqa: E731
        L.append("| %s | %s | %s | %s | %s |" % (name, f(per["A"]), f(per["B"]), f(both),
                                                 fmt_rate(med_ok(pick(R, name, "brokernet"),
                                                                 "rate"))))
    L.append("")
    L.append("## Broker CPU (where a 2-core machine's time goes)")
    L.append("")
    L.append("CPU s per 10,000 messages of the brokers each set-up uses (limit: A; native: NA+NB; "
             "brokernet: A+B), and for brokernet also brokers + sidecars; median of runs. "
             "On a machine whose cores are all busy, msg/s is bounded by cores / (CPU s per "
             "message of everything in the path, load generator included).")
    L.append("")
    L.append("| case | limit brokers s/10k | native brokers s/10k | brokernet brokers s/10k "
             "| brokernet brokers+sidecars s/10k |")
    L.append("|---|---:|---:|---:|---:|")
    for name, _, _, count, _ in bench.cases_t:
        cells = []
        for s in SETUPS:
            cells.append(med([sum(r.bcpu.values()) / (r.count / 1e4)
                              for r in pick(R, name, s) if r.ok and r.bcpu]))
        path = med([(sum(r.bcpu.values()) + sum(r.cpu.values())) / (r.count / 1e4)
                    for r in pick(R, name, "brokernet") if r.ok and r.bcpu and r.cpu])
        f = lambda v: "-" if v is None else "%.2f" % v  # noqa: E731
        L.append("| %s | %s | %s | %s | %s |" % (name, f(cells[0]), f(cells[1]), f(cells[2]),
                                                 f(path)))
    idle = [r.cpu.get("A", 0) + r.cpu.get("B", 0) for r in R if r.setup != "brokernet" and r.cpu]
    idle_t = sum(r.elapsed or 0 for r in R if r.setup != "brokernet" and r.cpu)
    L.append("")
    L.append("| sidecar | peak RSS (VmHWM) | RSS at end (VmRSS) | still running at end |")
    L.append("|---|---:|---:|---|")
    for n in ("A", "B"):
        rss, hwm = bench.mem.get(n, (None, None))
        L.append("| %s | %s | %s | %s |" % (
            n, "-" if hwm is None else "%d KiB" % hwm, "-" if rss is None else "%d KiB" % rss,
            "yes" if bench.sidecar_alive.get(n) else "NO"))
    if idle_t > 0:
        L.append("")
        L.append("Both sidecars together used %.2f s CPU during the %.0f s of limit and native "
                 "runs (no traffic through them: advisories only)." % (sum(idle), idle_t))
    if bench.health:
        L.append("")
        L.append("Health over the whole run (from the logs): " + "; ".join(
            "%s: %s" % kv for kv in bench.health.items()) + ".")
    L.append("")
    L.append("## All runs")
    L.append("")
    L.append("| rep | case | set-up | count | msg/s | p50 ms | p99 ms | max ms | duplicates "
             "| sidecar CPU s (A+B) | wall s | result |")
    L.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in R:
        cpu = "%.2f" % (r.cpu.get("A", 0) + r.cpu.get("B", 0)) if r.cpu else "-"
        L.append("| %d | %s | %s | %d | %s | %s | %s | %s | %d | %s | %s | %s |" % (
            r.rep, r.case, r.setup, r.count, fmt_rate(r.rate), fmt_ms(r.p50), fmt_ms(r.p99),
            fmt_ms(r.pmax), r.duplicates, cpu,
            "-" if r.elapsed is None else "%.1f" % r.elapsed,
            "ok" if r.ok else "FAILED: " + r.reason))
    if bench.failures or bench.notes:
        L.append("")
        L.append("## Failures and notes")
        for r, text in bench.failures:
            L.append("")
            L.append("### rep %d, %s, %s: %s" % (r.rep, r.case, r.setup, r.reason))
            L.append("")
            L.append("```")
            L.append(text)
            L.append("```")
        for n in bench.notes:
            L.append("")
            L.append("```")
            L.append(n)
            L.append("```")
    return "\n".join(L) + "\n"


# ------------------------------------------------------------ main

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--reps", type=int, default=None, help="repetitions (default 3; --quick: 1)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply the throughput message counts (default 1)")
    p.add_argument("--quick", action="store_true",
                   help="smoke run: counts / %d, latency runs shortened, 1 repetition"
                   % QUICK_DIVISOR)
    p.add_argument("--out", default=os.path.join(TOP, "tests", "out", "bench-network.md"),
                   help="where to write the Markdown report")
    p.add_argument("--run-timeout", type=float, default=600,
                   help="upper bound on one bnbench run, seconds (default 600)")
    p.add_argument("--broker-heap", default="1g",
                   help="broker JVM -Xmx (default 1g, as ActiveMQ's launcher; '' gives "
                   "512m); brokers otherwise run with the JVM's defaults (G1, tiered "
                   "JIT); BN_JVM_OPTS replaces all of it")
    p.add_argument("--no-warmup", action="store_true",
                   help="skip the unmeasured warm-up pass (small runs on every set-up)")
    p.add_argument("--producers", type=int, default=PRODUCERS,
                   help="producer connections of each throughput run (default %d)" % PRODUCERS)
    p.add_argument("--window", type=int, default=WINDOW,
                   help="each producer's receipt window (default %d; the latency issue's "
                   "load: --producers 1 --window 100)" % WINDOW)
    p.add_argument("--queues", type=int, default=1,
                   help="queues of each throughput run (default 1): one bnbench per queue, "
                   "side by side, sharing the count and the producer connections")
    p.add_argument("--setups", default=",".join(SETUPS),
                   help="comma-separated subset of %s (default: all)" % ",".join(SETUPS))
    p.add_argument("--keep", action="store_true", help="keep the broker/sidecar directory")
    p.add_argument("--cases", default="",
                   help="comma-separated case names: run only these (exact names, or a "
                   "prefix ending in '*', e.g. 'persistent 64 KiB,non-persistent*'; "
                   "default: all)")
    p.add_argument("--broker-proto", choices=("stomp", "openwire"),
                   default=bnsidecar.BROKER_PROTO,
                   help="the sidecars' broker sessions: stomp (stomp:// URIs) or openwire "
                   "(tcp://); default $BN_BROKER_PROTO, else openwire")
    p.add_argument("--sidecar-attrs", default="",
                   help="extra attributes on both sidecars' <brokernet> element, e.g. "
                   "'duplicateWindow=\"1000\"' (default: none, the shipped defaults)")
    o = p.parse_args()
    bnsidecar.BROKER_PROTO = o.broker_proto
    o.setups = [x.strip() for x in o.setups.split(",") if x.strip()]
    if not o.setups or any(x not in SETUPS for x in o.setups):
        p.error("--setups: choose from %s" % ",".join(SETUPS))
    if o.reps is None:
        o.reps = 1 if o.quick else 3
    if o.quick:
        o.no_warmup = True
    if o.reps < 1 or o.scale <= 0:
        p.error("--reps must be >= 1 and --scale > 0")
    if o.queues < 1 or o.producers < 1:
        p.error("--queues and --producers must be >= 1")
    for path in (BNBENCH, bnsidecar.binary()):
        if not os.access(path, os.X_OK):
            p.error("%s is missing: run `make all` first" % path)

    if not os.environ.get("BN_JVM_OPTS"):
        # The brokers run as ActiveMQ's own launcher runs them (bin/env: -Xms64M
        # -Xmx1G, the JVM's default GC and full tiered JIT), not with the test suite's
        # start-up flags (SerialGC, C1 only), which halve a broker's throughput here.
        # bnharness' -Xmx512m also runs out of heap under non-persistent 64 KiB.
        bnharness.JVM_OPTS[:] = ["-Xms64m", "-Djava.awt.headless=true"] + (
            ["-Xmx" + o.broker_heap] if o.broker_heap else ["-Xmx512m"])
    signal.signal(signal.SIGTERM, _on_sigterm)   # before brokers: bnharness chains to it
    info = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": git_commit(), "sha_daemon": file_sha(bnsidecar.binary()),
        "sha_bnbench": file_sha(BNBENCH), "nproc": os.cpu_count(), "load": loadavg(),
        "uname": " ".join(os.uname()[i] for i in (0, 2, 4)), "amq": activemq_version(),
        "other_java": other_java(),
    }
    t0 = time.monotonic()
    bench = Bench(o)
    rc = 0
    try:
        bench.start()
        bench.run()
    except (KeyboardInterrupt, Abort) as e:
        bench.interrupted = str(e) or "Ctrl-C"
        log("interrupted (%s): stopping everything" % bench.interrupted)
        rc = 130
    except Exception as e:
        log("ERROR: %s: %s" % (type(e).__name__, e))
        for s in bench.sidecars.values():
            log("sidecar %s log tail:\n%s" % (s.name, s.log_tail(30)))
        bench.interrupted = "aborted by %s: %s" % (type(e).__name__, e)
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for child in list(_children):
            if child.poll() is None:
                child.kill()
        try:
            bench.capture_mem()
            bench.capture_health()
        except Exception:
            pass
        bench.stop()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    info["duration"] = time.monotonic() - t0
    info["load_end"] = loadavg()
    if bench.results:
        text = report(bench, info)
        sys.stdout.write(text)
        sys.stdout.flush()
        os.makedirs(os.path.dirname(os.path.abspath(o.out)), exist_ok=True)
        with open(o.out, "w") as f:
            f.write(text)
        log("report written to %s (%.0f s)" % (o.out, info["duration"]))
        if rc == 0 and any(not r.ok for r in bench.results):
            rc = 1
    if o.keep or rc not in (0, 130):
        log("kept %s (logs, bnbench output per run)" % bench.base)
    else:
        shutil.rmtree(bench.base, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
