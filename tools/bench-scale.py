#!/usr/bin/env python3
"""bench-scale: how brokernetd scales with demand, peers and hops.

On 127.0.0.1 only, with fresh ActiveMQ brokers for each part (2, 4, 4):
  (a) 1,000 queues: sidecar A dials sidecar B; 1,000 consumers on B (10 STOMP
      connections x 100 subscriptions).  Time until A's /status shows 1,000
      subscribed network subscriptions; then 10 persistent messages to each
      queue on A, all 10,000 must arrive on B.  Both sidecars' RSS and CPU.
  (b) 20 sidecars (5 beside each broker, distinct names) in a static full
      mesh: every sidecar dials the other 19 (380 links).  Time from launch
      to every link up; RSS and CPU.
  (c) a chain of 4 sidecars A -> B -> C -> D with networkTTL=3: time from a
      consumer subscribing on D's broker to the network subscription on A's
      sidecar (and on C's and B's on the way), median of 5; 10 messages sent
      to A must reach the consumer on D.

Prints Markdown to stdout and writes tests/out/bench-scale.md.  Every process
it starts is stopped by PID, also on Ctrl-C, SIGTERM or failure.

    tools/bench-scale.py [--queues N] [--mesh-brokers N] [--mesh-per-broker N]
                         [--trials N] [--idle S] [--timeout S] [--parts abc]
                         [--out FILE] [--keep]

Exit 0 when every part passed its checks, 1 otherwise (the report says which).
"""

import argparse
import datetime
import os
import shutil
import signal
import statistics
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
from stompclient import StompClient  # noqa: E402

# Shared helpers from bench-network.py (same directory; not importable by name).
import importlib.util  # noqa: E402
_spec = importlib.util.spec_from_file_location("bench_network",
                                               os.path.join(TOOLS, "bench-network.py"))
bn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bn)
proc_cpu_s, proc_mem_kb = bn.proc_cpu_s, bn.proc_mem_kb
Abort, _on_sigterm = bn.Abort, bn._on_sigterm     # SIGTERM raises Abort

RECONNECT = "initialReconnectDelay=200&maxReconnectDelay=1000"   # connector_xml's default


def log(msg):
    print("bench-scale: " + msg, file=sys.stderr, flush=True)


def kib(v):
    return "-" if v is None else "%d KiB" % v


def mib(v):
    return "-" if v is None else "%.1f MiB" % (v / 1024.0)


def secs(v):
    return "-" if v is None else "%.2f s" % v


def cpu_of(sidecars):
    out = {}
    for s in sidecars:
        out[s.name] = proc_cpu_s(s.proc.pid) if s.running() else None
    return out


def cpu_delta(c0, c1, name):
    if c0.get(name) is None or c1.get(name) is None:
        return None
    return c1[name] - c0[name]


def check_alive(sidecars):
    for s in sidecars:
        if not s.running():
            raise RuntimeError("sidecar %s exited (rc %s); log tail:\n%s"
                               % (s.name, s.proc.returncode if s.proc else "?", s.log_tail(30)))


def poll_until(cond, timeout, interval, what, sidecars=()):
    """cond() -> value or None/False; returns (value, seconds waited); raises on timeout."""
    t0 = time.monotonic()
    last_err = None
    while True:
        check_alive(sidecars)
        try:
            v = cond()
            if v:
                return v, time.monotonic() - t0
        except OSError as e:       # management endpoint busy / not up yet
            last_err = e
        if time.monotonic() - t0 > timeout:
            raise TimeoutError("timed out after %.0f s waiting for %s%s" % (
                timeout, what, " (last error: %s)" % last_err if last_err else ""))
        time.sleep(interval)


class Scale:
    def __init__(self, o):
        self.o = o
        self.base = tempfile.mkdtemp(prefix="bn-bench-scale-")
        self.brokers = []
        self.sidecars = []      # every sidecar started (stopped in cleanup)
        self.clients = []
        self.tag = "%x" % (int(time.time()) & 0xffffff)
        self.res = {}

    # ---------------------------------------------------------------- plumbing
    def start_brokers(self, part, n):
        """Fresh brokers (new data directories) for each part, so that one part's queues,
        subscriptions or trouble do not carry over into the next."""
        if self.brokers:
            bnharness.stop_all(self.brokers)
        self.part_dir = os.path.join(self.base, "part-" + part)
        names = ["A", "B", "C", "D"] + ["E%d" % i for i in range(5, n + 1)]
        self.brokers = [bnharness.Broker(x, os.path.join(self.part_dir, "broker-" + x))
                        for x in names[:n]]
        log("(%s) starting %d fresh brokers in %s" % (part, n, self.part_dir))
        t0 = time.monotonic()
        bnharness.start_all(self.brokers, timeout=90)
        log("(%s) brokers up in %.1f s" % (part, time.monotonic() - t0))

    def broker_health(self):
        out = []
        for b in self.brokers:
            t = b.log_text()
            bad = []
            if not b.is_running():
                bad.append("not running")
            if "OutOfMemoryError" in t:
                bad.append("OutOfMemoryError x%d" % t.count("OutOfMemoryError"))
            if "Channel was inactive" in t:
                bad.append("closed %d inactive connections" % t.count("Channel was inactive"))
            out.append("%s %s" % (b.name, ", ".join(bad) if bad else "ok"))
        return "; ".join(out)

    def new_sidecar(self, name, broker, connectors=(), link_port=None):
        s = Sidecar(name, self.part_dir, broker, connectors, link_port=link_port)
        self.sidecars.append(s)
        return s

    def stop_sidecars(self, group):
        for s in group:
            try:
                s.stop()
            except Exception as e:
                log("stopping sidecar %s: %s" % (s.name, e))

    def close_clients(self):
        for c in self.clients:
            try:
                c.close()
            except Exception:
                pass
        self.clients = []

    def cleanup(self):
        self.close_clients()
        self.stop_sidecars(self.sidecars)
        bnharness.stop_all(self.brokers)

    # ---------------------------------------------------------------- (a)
    def part_a(self):
        nq = self.o.queues
        per_conn = 100
        per_q = 10
        A, B = self.brokers[0], self.brokers[1]
        sb = self.new_sidecar("B", B)
        sa = self.new_sidecar("A", A, [connector_xml("to-B", [sb.link_port])])
        sb.start()
        sa.start()
        sa.wait_link("B", timeout=30)
        group = [sa, sb]
        log("(a) sidecars A, B up; link A -> B up")
        r = self.res["a"] = {"queues": nq, "per_q": per_q}
        r["mem_start"] = {s.name: proc_mem_kb(s.proc.pid) for s in group}
        prefix = "scale.%s.q" % self.tag
        queues = ["%s%04d" % (prefix, i) for i in range(nq)]

        def a_subs():
            """(queues with a subscribed network subscription, subscriptions in all)"""
            qs, n = set(), 0
            for link in sa.status()["links"]:
                for s in link["subscriptions"]:
                    if s["queue"].startswith(prefix):
                        n += 1
                        if s["subscribed"]:
                            qs.add(s["queue"])
            return len(qs), n

        def a_subscribed():
            return a_subs()[0]

        def b_demand():
            return sum(1 for q in sb.status()["local_demand"] if q.startswith(prefix))

        # consumers: one STOMP connection per 100 subscriptions
        conns = []
        for i in range(0, nq, per_conn):
            c = StompClient()
            c.connect("127.0.0.1", B.stomp_port, heartbeat=(0, 0))
            self.clients.append(c)
            conns.append((c, queues[i:i + per_conn]))
        cpu0 = cpu_of(group)
        t0 = time.monotonic()
        for c, qs in conns:
            # the receipt on a connection's last SUBSCRIBE covers the 99 before it
            for j, q in enumerate(qs):
                c.subscribe("/queue/" + q, "s-%s" % q[len(prefix):], ack="auto",
                            headers={"activemq.prefetchSize": "100"},
                            receipt=(j == len(qs) - 1), timeout=60)
        r["t_subscribe"] = time.monotonic() - t0
        # B's sidecar learns the demand from advisories; A's subscribes on its broker
        t_b = t_a = None
        deadline = time.monotonic() + self.o.timeout
        nb = na = 0
        while time.monotonic() < deadline and (t_a is None or t_b is None):
            check_alive(group)
            try:
                if t_b is None:
                    nb = b_demand()
                    if nb >= nq:
                        t_b = time.monotonic() - t0
                if t_a is None:
                    na = a_subscribed()
                    if na >= nq:
                        t_a = time.monotonic() - t0
            except OSError:
                pass
            time.sleep(0.05)
        r["t_b_demand"], r["t_a_subscribed"] = t_b, t_a
        time.sleep(2.0)     # let the per-queue subscriptions settle before counting them
        try:
            r["a_subs_total"] = a_subs()[1]
        except OSError:
            r["a_subs_total"] = None
        r["b_demand_seen"], r["a_subscribed_seen"] = nb, na
        cpu1 = cpu_of(group)
        r["mem_demand"] = {s.name: proc_mem_kb(s.proc.pid) for s in group}
        log("(a) subscribe %.2f s; B demand %s (%d); A subscribed %s (%d)" % (
            r["t_subscribe"], secs(t_b), nb, secs(t_a), na))
        if t_a is None:
            r["error"] = "A's sidecar showed %d of %d network subscriptions after %.0f s" % (
                na, nq, self.o.timeout)
            r["log_tail"] = {s.name: s.log_tail(30) for s in group}

        # receivers: one thread per connection
        got = {}
        dups = [0]
        bad = [0]
        lock = threading.Lock()
        stop = threading.Event()
        total = nq * per_q
        last_rx = [None]
        rx_errors = []

        def receiver(c):
            try:
                while not stop.is_set():
                    f = c.receive(0.2)
                    if f is None:
                        continue
                    if f.command != "MESSAGE":
                        with lock:
                            bad[0] += 1
                        continue
                    key = (f.headers.get("destination"), f.headers.get("bn_n"))
                    with lock:
                        last_rx[0] = time.monotonic()
                        if key[1] is None or f.body != ("%s/%s" % key).encode():
                            bad[0] += 1
                        elif key in got:
                            dups[0] += 1
                        else:
                            got[key] = 1
            except Exception as e:      # connection lost: reported, not hidden
                rx_errors.append(repr(e))

        threads = [threading.Thread(target=receiver, args=(c,), daemon=True) for c, _ in conns]
        for t in threads:
            t.start()
        prod = StompClient()
        prod.connect("127.0.0.1", A.stomp_port)
        self.clients.append(prod)
        t_send0 = time.monotonic()
        sent = 0
        batch = 500
        for n in range(per_q):
            for q in queues:
                d = "/queue/" + q
                prod.send(d, ("%s/%d" % (d, n)).encode(),
                          {"persistent": "true", "bn_n": str(n)}, receipt=True, wait=False)
                sent += 1
                if sent % batch == 0:
                    prod.wait_receipts(timeout=120)
        prod.wait_receipts(timeout=120)
        r["t_send"] = time.monotonic() - t_send0
        log("(a) %d messages sent to A in %.1f s" % (sent, r["t_send"]))
        deadline = time.monotonic() + self.o.timeout
        while time.monotonic() < deadline:
            with lock:
                if len(got) >= total:
                    break
            if rx_errors:
                break
            check_alive(group)
            time.sleep(0.05)
        # a short grace for duplicates
        time.sleep(1.0)
        stop.set()
        for t in threads:
            t.join(5)
        with lock:
            r["delivered"] = len(got)
            r["duplicates"] = dups[0]
            r["bad"] = bad[0]
            r["t_deliver"] = (last_rx[0] - t_send0) if last_rx[0] else None
        r["rx_errors"] = rx_errors
        r["sent"] = sent
        cpu2 = cpu_of(group)
        r["mem_deliver"] = {s.name: proc_mem_kb(s.proc.pid) for s in group}
        log("(a) delivered %d/%d, duplicates %d, bad %d, in %s" % (
            r["delivered"], total, r["duplicates"], r["bad"], secs(r["t_deliver"])))
        if r["delivered"] != total and "log_tail" not in r:
            r["log_tail"] = {s.name: s.log_tail(30) for s in group}

        # consumers leave: how long until A drops the 1,000 network subscriptions
        t3 = time.monotonic()
        for c, _ in conns:
            try:
                c.disconnect(timeout=5)
            except Exception:
                c.close()
        try:
            _, r["t_teardown"] = poll_until(lambda: a_subscribed() == 0 or None, self.o.timeout,
                                            0.1, "A's network subscriptions to go", group)
            r["t_teardown"] = time.monotonic() - t3
        except TimeoutError as e:
            r["t_teardown"] = None
            r["teardown_error"] = str(e)
        cpu3 = cpu_of(group)
        r["mem_end"] = {s.name: proc_mem_kb(s.proc.pid) for s in group}
        r["cpu"] = {s.name: (cpu_delta(cpu0, cpu1, s.name), cpu_delta(cpu1, cpu2, s.name),
                             cpu_delta(cpu2, cpu3, s.name), cpu3.get(s.name))
                    for s in group}
        r["counters"] = {s.name: s.status()["counters"] for s in group}
        self.close_clients()
        self.stop_sidecars(group)

    # ---------------------------------------------------------------- (b)
    def part_b(self):
        nb, per = self.o.mesh_brokers, self.o.mesh_per_broker
        n = nb * per
        ports = [bnharness.free_port() for _ in range(n)]
        names = ["M%02d" % (i + 1) for i in range(n)]
        group = []
        for i in range(n):
            broker = self.brokers[i // per]
            peers = [p for j, p in enumerate(ports) if j != i]
            group.append(self.new_sidecar(names[i], broker,
                                          [connector_xml("mesh", peers)], link_port=ports[i]))
        r = self.res["b"] = {"n": n, "brokers": nb, "per": per, "links": n * (n - 1)}
        want = set(names)
        log("(b) launching %d sidecars (%d per broker), each dialing %d peers" % (n, per, n - 1))
        t0 = time.monotonic()
        for s in group:
            s.start(wait=False)
        up_mgmt = {}
        up_broker = {}
        full = {}
        links_seen = {}
        deadline = t0 + self.o.timeout
        while time.monotonic() < deadline and len(full) < n:
            check_alive(group)
            for s in group:
                if s.name in full:
                    continue
                try:
                    st = s.status()
                except OSError:
                    continue
                now = time.monotonic() - t0
                up_mgmt.setdefault(s.name, now)
                if st["broker"]["state"] == "connected":
                    up_broker.setdefault(s.name, now)
                dialed = {l["peer"] for l in st["links"]
                          if l["state"] == "up" and l["direction"] == "dialed"}
                accepted = {l["peer"] for l in st["links"]
                            if l["state"] == "up" and l["direction"] == "accepted"}
                links_seen[s.name] = len(dialed) + len(accepted)
                others = want - {s.name}
                if dialed >= others and accepted >= others and s.name in up_broker:
                    full[s.name] = now
            time.sleep(0.1)
        r["t_mgmt"] = max(up_mgmt.values()) if len(up_mgmt) == n else None
        r["t_broker"] = max(up_broker.values()) if len(up_broker) == n else None
        r["t_full"] = max(full.values()) if len(full) == n else None
        r["t_first_full"] = min(full.values()) if full else None
        r["links_up_total"] = sum(links_seen.values())
        cpu_full = cpu_of(group)
        if r["t_full"] is None:
            r["error"] = "no full mesh after %.0f s: %d of %d sidecars complete, %d of %d " \
                         "link ends up" % (self.o.timeout, len(full), n, r["links_up_total"],
                                           2 * n * (n - 1))
            worst = min(group, key=lambda s: links_seen.get(s.name, 0))
            r["log_tail"] = {worst.name: worst.log_tail(30)}
        log("(b) full mesh %s (mgmt %s, broker sessions %s)" % (
            secs(r["t_full"]), secs(r["t_mgmt"]), secs(r["t_broker"])))
        # idle with the mesh up: heart-beats only
        time.sleep(self.o.idle)
        cpu_idle = cpu_of(group)
        mem = {s.name: proc_mem_kb(s.proc.pid) for s in group}
        rss = [m[0] for m in mem.values() if m[0] is not None]
        hwm = [m[1] for m in mem.values() if m[1] is not None]
        r["rss_median"] = statistics.median(rss) if rss else None
        r["rss_max"] = max(rss) if rss else None
        r["rss_min"] = min(rss) if rss else None
        r["hwm_max"] = max(hwm) if hwm else None
        r["rss_sum"] = sum(rss) if rss else None
        c_full = [cpu_full[x] for x in names if cpu_full.get(x) is not None]
        r["cpu_to_full"] = sum(c_full) if c_full else None
        d = [cpu_delta(cpu_full, cpu_idle, x) for x in names]
        d = [x for x in d if x is not None]
        r["cpu_idle"] = sum(d) if d else None
        r["idle_s"] = self.o.idle
        # still a full mesh after the idle period?
        try:
            r["links_after_idle"] = sum(len(s.links_up()) for s in group)
        except OSError as e:
            r["links_after_idle"] = "status failed: %s" % e
        self.stop_sidecars(group)

    # ---------------------------------------------------------------- (c)
    def part_c(self):
        A, B, C, D = self.brokers[:4]
        ttl = 3
        sd = self.new_sidecar("D", D)
        sc = self.new_sidecar("C", C, [connector_xml("to-D", [sd.link_port], networkTTL=ttl)])
        sb = self.new_sidecar("B", B, [connector_xml("to-C", [sc.link_port], networkTTL=ttl)])
        sa = self.new_sidecar("A", A, [connector_xml("to-B", [sb.link_port], networkTTL=ttl)])
        group = [sa, sb, sc, sd]
        for s in (sd, sc, sb, sa):
            s.start()
        sa.wait_link("B", 30)
        sb.wait_link("C", 30)
        sc.wait_link("D", 30)
        log("(c) chain A -> B -> C -> D up (networkTTL=%d)" % ttl)
        r = self.res["c"] = {"trials": [], "ttl": ttl}
        hops = [("C", sc), ("B", sb), ("A", sa)]

        def has_sub(s, q):
            for link in s.status()["links"]:
                for x in link["subscriptions"]:
                    if x["queue"] == q and x["subscribed"]:
                        return x
            return None

        for k in range(1, self.o.trials + 1):
            q = "scale.%s.chain.%d" % (self.tag, k)
            tr = {"queue": q}
            cons = StompClient()
            cons.connect("127.0.0.1", D.stomp_port)
            self.clients.append(cons)
            seen = {}
            t0 = time.monotonic()
            deadline = t0 + 30

            def watch(name, s):
                # one poller per sidecar, every ~3 ms (more often loads the sidecar it times)
                while name not in seen and time.monotonic() < deadline:
                    try:
                        x = has_sub(s, q)
                    except OSError:
                        x = None
                    if x:
                        seen[name] = (time.monotonic() - t0, x.get("hops"), x.get("priority"))
                        return
                    time.sleep(0.003)

            pollers = [threading.Thread(target=watch, args=h, daemon=True) for h in hops]
            for t in pollers:
                t.start()
            t0 = time.monotonic()       # the pollers run: now subscribe
            cons.subscribe("/queue/" + q, "c1", ack="auto", receipt=True)
            tr["t_receipt"] = time.monotonic() - t0
            for t in pollers:
                t.join(max(0.0, deadline - time.monotonic()) + 1)
            check_alive(group)
            for name, _ in hops:
                tr[name] = seen.get(name)
            # 10 messages from A must arrive at D over three sidecar hops
            got = 0
            if "A" in seen:
                prod = StompClient()
                prod.connect("127.0.0.1", A.stomp_port)
                self.clients.append(prod)
                prod.send_many("/queue/" + q, (b"m%d" % i for i in range(10)),
                               headers_fn=lambda i, b: {"persistent": "true"}, window=10)
                prod.close()
                t1 = time.monotonic()
                while got < 10 and time.monotonic() - t1 < 30:
                    f = cons.receive(1.0)
                    if f is not None and f.command == "MESSAGE":
                        got += 1
                        if got == 1:
                            tr["path"] = f.headers.get("brokernet_path")
                            tr["hops_hdr"] = f.headers.get("brokernet_hops")
                extra = cons.receive(0.5)
                if extra is not None and extra.command == "MESSAGE":
                    tr["extra"] = True
            tr["delivered"] = got
            # consumer leaves: how long until A's sidecar drops the subscription
            t2 = time.monotonic()
            cons.disconnect(timeout=5)
            try:
                _, tr["t_remove"] = poll_until(lambda: not has_sub(sa, q), 30, 0.005,
                                               "A's subscription for %s to go" % q, group)
            except TimeoutError:
                tr["t_remove"] = None
            if tr["t_remove"] is not None:
                tr["t_remove"] = time.monotonic() - t2
            r["trials"].append(tr)
            log("(c) trial %d: C %s, B %s, A %s; delivered %d/10; removal %s" % (
                k, *(("%.0f ms" % (tr[n][0] * 1000)) if tr[n] else "-" for n in ("C", "B", "A")),
                got, secs(tr["t_remove"])))
            time.sleep(0.3)
        r["mem"] = {s.name: proc_mem_kb(s.proc.pid) for s in group}
        if any(tr["A"] is None or tr["delivered"] != 10 for tr in r["trials"]):
            r["log_tail"] = {s.name: s.log_tail(20) for s in group}
        self.close_clients()
        self.stop_sidecars(group)


# -------------------------------------------------------------------- report

def part_failed(part, r):
    if part == "a":
        return (r.get("t_a_subscribed") is None or r.get("delivered") != r["queues"] * r["per_q"]
                or r.get("bad") or r.get("t_teardown") is None)
    if part == "b":
        return r.get("t_full") is None
    if part == "c":
        return any(tr["A"] is None or tr["delivered"] != 10 for tr in r["trials"])
    return False


def report(sc, info):
    o = sc.o
    L = ["# brokernet scale benchmark", ""]
    L.append("- date: %s" % info["date"])
    L.append("- git commit: %s; bin/brokernetd sha256 %s" % (info["commit"], info["sha"]))
    L.append("- machine: nproc %s, load average at start %s, at end %s; other java processes "
             "at start: %s; %s" % (info["nproc"], info["load"], info.get("load_end", "?"),
                                   info.get("other_java", "?"), info["uname"]))
    L.append("- ActiveMQ %s, brokers on 127.0.0.1 (KahaDB default fsync), fresh ones for each "
             "part; link reconnect %s; total %.0f s" % (info["amq"], RECONNECT, info["duration"]))
    L.append("")

    a = sc.res.get("a")
    if a:
        nq, per_q = a["queues"], a["per_q"]
        total = nq * per_q
        L.append("## (a) %s queues with demand: sidecar A -> sidecar B, consumers on B" %
                 format(nq, ","))
        L.append("")
        L.append("| step | result |")
        L.append("|---|---|")
        L.append("| %s SUBSCRIBEs on B (%d STOMP connections x 100), all acknowledged | %s |"
                 % (format(nq, ","), (nq + 99) // 100, secs(a.get("t_subscribe"))))
        L.append("| B's sidecar shows %s queues of local demand | %s |" % (
            format(nq, ","), secs(a["t_b_demand"]) if a["t_b_demand"] is not None else
            "NOT REACHED (%d)" % a["b_demand_seen"]))
        L.append("| **A's /status shows %s subscribed network subscriptions** | **%s** |" % (
            format(nq, ","), secs(a["t_a_subscribed"]) if a["t_a_subscribed"] is not None else
            "FAILED (%d)" % a["a_subscribed_seen"]))
        if a["t_a_subscribed"] is not None and a.get("t_subscribe") is not None:
            L.append("| ... after the last SUBSCRIBE was acknowledged | +%.2f s |"
                     % (a["t_a_subscribed"] - a["t_subscribe"]))
        if a.get("a_subs_total") is not None:
            L.append("| subscriptions A's sidecar holds on broker A for these queues, 2 s later "
                     "| %s (network + replay-of-stranded) |" % format(a["a_subs_total"], ","))
        L.append("| send %s persistent messages to A (10 per queue, receipts in batches of 500)"
                 " | %s (%.0f msg/s) |" % (format(total, ","), secs(a["t_send"]),
                                           a["sent"] / a["t_send"] if a["t_send"] else 0))
        ok = a["delivered"] == total and not a["bad"]
        L.append("| arrived on B (distinct / duplicates / bad) | %s%d / %d / %d of %s, last after "
                 "%s from first send%s |" % (
                     "" if ok else "FAILED: ", a["delivered"], a["duplicates"], a["bad"],
                     format(total, ","), secs(a["t_deliver"]),
                     "; receiver errors: %s" % a["rx_errors"] if a["rx_errors"] else ""))
        L.append("| consumers disconnect -> A's network subscriptions all gone | %s |" % (
            secs(a["t_teardown"]) if a.get("t_teardown") is not None else
            "FAILED: " + a.get("teardown_error", "")))
        L.append("")
        L.append("| sidecar | VmRSS idle | VmRSS with demand | VmRSS after delivery | VmRSS end "
                 "| VmHWM | CPU s: demand | CPU s: delivery | CPU s: teardown | CPU s total "
                 "(process) |")
        L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        f = lambda v: "-" if v is None else "%.2f" % v  # noqa: E731
        for n in ("A", "B"):
            cpu = a["cpu"][n]
            L.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                n, kib(a["mem_start"][n][0]), kib(a["mem_demand"][n][0]),
                kib(a["mem_deliver"][n][0]), kib(a["mem_end"][n][0]), kib(a["mem_end"][n][1]),
                f(cpu[0]), f(cpu[1]), f(cpu[2]), f(cpu[3])))
        L.append("")
        L.append("Brokers after (a): %s." % a.get("broker_health", "-"))
        c = a.get("counters", {})
        if c:
            L.append("")
            L.append("Counters: A forwarded %s, forward_acked %s; B received %s, stored %s, "
                     "duplicates_suppressed %s." % (
                         c["A"].get("forwarded"), c["A"].get("forward_acked"),
                         c["B"].get("received"), c["B"].get("stored"),
                         c["B"].get("duplicates_suppressed")))
        L.append("")

    b = sc.res.get("b")
    if b:
        L.append("## (b) %d sidecars in a static full mesh (%d brokers x %d sidecars)"
                 % (b["n"], b["brokers"], b["per"]))
        L.append("")
        L.append("| metric | result |")
        L.append("|---|---|")
        L.append("| layout | each sidecar dials the other %d (static:, non-duplex): %d links, "
                 "%d link ends up per sidecar |" % (b["n"] - 1, b["links"], 2 * (b["n"] - 1)))
        L.append("| launch -> all management endpoints answer | %s |" % secs(b["t_mgmt"]))
        L.append("| launch -> all broker sessions connected | %s |" % secs(b["t_broker"]))
        L.append("| launch -> first sidecar fully linked | %s |" % secs(b["t_first_full"]))
        L.append("| **launch -> full mesh (every link up)** | **%s** |" % (
            secs(b["t_full"]) if b["t_full"] is not None else "FAILED: " + b.get("error", "")))
        L.append("| VmRSS per sidecar: median / min / max | %s / %s / %s |" % (
            kib(b["rss_median"]), kib(b["rss_min"]), kib(b["rss_max"])))
        L.append("| VmRSS, all %d together | %s |" % (b["n"], mib(b["rss_sum"])))
        L.append("| VmHWM, largest | %s |" % kib(b["hwm_max"]))
        L.append("| CPU from launch to full mesh, all %d together | %s |" % (
            b["n"], "-" if b["cpu_to_full"] is None else "%.2f s" % b["cpu_to_full"]))
        L.append("| CPU idle with the mesh up (%.0f s, heart-beats), all %d together | %s |" % (
            b["idle_s"], b["n"], "-" if b["cpu_idle"] is None else "%.2f s (%.1f ms/s per sidecar)"
            % (b["cpu_idle"], 1000 * b["cpu_idle"] / b["idle_s"] / b["n"])))
        L.append("| link ends up after the idle period | %s of %d |" % (
            b["links_after_idle"], 2 * b["links"]))
        L.append("")
        L.append("Brokers after (b): %s." % b.get("broker_health", "-"))
        L.append("")

    c = sc.res.get("c")
    if c:
        L.append("## (c) demand over 3 hops: chain A -> B -> C -> D, networkTTL=%d" % c["ttl"])
        L.append("")
        L.append("Time from SUBSCRIBE on D's broker until the network subscription is subscribed "
                 "on each sidecar's broker (one thread per sidecar polls its /status every ~3 ms; "
                 "\"subscribed\" means the broker acknowledged the SUBSCRIBE, so a "
                 "farther hop can show up first).")
        L.append("")
        L.append("| trial | SUBSCRIBE receipt | C (1 hop) | B (2 hops) | **A (3 hops)** | "
                 "priority on A | 10 msgs A->D | brokernet_path | consumer gone -> A unsubscribed |")
        L.append("|---:|---:|---:|---:|---:|---:|---|---|---:|")
        ms = lambda v: "FAILED" if v is None else "%.0f ms" % (v[0] * 1000)  # noqa: E731
        for k, tr in enumerate(c["trials"], 1):
            L.append("| %d | %.1f ms | %s | %s | %s | %s | %s | %s | %s |" % (
                k, tr["t_receipt"] * 1000, ms(tr["C"]), ms(tr["B"]), ms(tr["A"]),
                tr["A"][2] if tr["A"] else "-",
                ("%d/10" % tr["delivered"]) + (" + extra" if tr.get("extra") else "")
                if tr["delivered"] == 10 else "FAILED %d/10" % tr["delivered"],
                tr.get("path", "-"),
                "FAILED" if tr["t_remove"] is None else "%.0f ms" % (tr["t_remove"] * 1000)))

        def medv(name):
            v = [tr[name][0] for tr in c["trials"] if tr[name]]
            return "%.0f ms" % (1000 * statistics.median(v)) if v else "FAILED"
        rm = [tr["t_remove"] for tr in c["trials"] if tr["t_remove"] is not None]
        L.append("| **median** | | %s | %s | **%s** | | | | %s |" % (
            medv("C"), medv("B"), medv("A"),
            "%.0f ms" % (1000 * statistics.median(rm)) if rm else "-"))
        L.append("")
        L.append("Sidecar RSS in the chain: %s. Brokers after (c): %s." % (", ".join(
            "%s %s" % (n, kib(v[0])) for n, v in sorted(c["mem"].items())),
            c.get("broker_health", "-")))
        L.append("")

    tails = []
    for key in ("a", "b", "c"):
        rr = sc.res.get(key) or {}
        for n, t in (rr.get("log_tail") or {}).items():
            tails.append(("(%s) sidecar %s" % (key, n), t))
        if rr.get("error"):
            tails.append(("(%s) error" % key, rr["error"]))
    for key, err in sc.res.get("errors", []):
        tails.append((key, err))
    if tails:
        L.append("## Failures: sidecar log tails")
        for title, t in tails:
            L.append("")
            L.append("### %s" % title)
            L.append("")
            L.append("```")
            L.append(t)
            L.append("```")
    return "\n".join(L) + "\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--queues", type=int, default=1000, help="(a) queues with demand (1000)")
    p.add_argument("--mesh-brokers", type=int, default=4, help="(b) brokers (4)")
    p.add_argument("--mesh-per-broker", type=int, default=5, help="(b) sidecars per broker (5)")
    p.add_argument("--trials", type=int, default=5, help="(c) trials (5)")
    p.add_argument("--idle", type=float, default=10.0, help="(b) idle CPU period, s (10)")
    p.add_argument("--timeout", type=float, default=120.0, help="bound on each wait, s (120)")
    p.add_argument("--parts", default="abc", help="which parts to run (abc)")
    p.add_argument("--out", default=os.path.join(TOP, "tests", "out", "bench-scale.md"))
    p.add_argument("--keep", action="store_true", help="keep the broker/sidecar directory")
    o = p.parse_args()
    if o.queues < 1 or o.mesh_brokers < 1 or o.mesh_per_broker < 1 or o.trials < 1:
        p.error("counts must be >= 1")
    if o.mesh_brokers * o.mesh_per_broker < 2:
        p.error("a mesh needs at least 2 sidecars")
    if not os.access(bnsidecar.binary(), os.X_OK):
        p.error("%s is missing: run `make all` first" % bnsidecar.binary())
    signal.signal(signal.SIGTERM, _on_sigterm)
    info = {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z"),
        "commit": bn.git_commit(), "sha": bn.file_sha(bnsidecar.binary()),
        "nproc": os.cpu_count(), "load": bn.loadavg(),
        "uname": " ".join(os.uname()[i] for i in (0, 2, 4)), "amq": bn.activemq_version(),
        "other_java": bn.other_java(),
    }
    t0 = time.monotonic()
    sc = Scale(o)
    sc.res["errors"] = []
    rc = 0
    nbrokers = {"a": 2, "b": o.mesh_brokers, "c": 4}
    try:
        for part, fn in (("a", sc.part_a), ("b", sc.part_b), ("c", sc.part_c)):
            if part not in o.parts:
                continue
            log("---- part (%s)" % part)
            n0 = len(sc.sidecars)
            try:
                sc.start_brokers(part, nbrokers[part])
                fn()
                if isinstance(sc.res.get(part), dict):
                    sc.res[part]["broker_health"] = sc.broker_health()
                    if part_failed(part, sc.res[part]):
                        rc = 1
            except (KeyboardInterrupt, Abort):
                raise
            except Exception as e:
                # One part failing is reported with its sidecars' log tails; the others run.
                log("part (%s) FAILED: %s: %s" % (part, type(e).__name__, e))
                text = "%s: %s" % (type(e).__name__, e)
                for s in sc.sidecars[n0:]:
                    text += "\n--- sidecar %s (%s) log tail:\n%s" % (
                        s.name, "running" if s.running() else "exited %s" % s.proc.returncode
                        if s.proc else "not started", s.log_tail(20))
                sc.res["errors"].append(("(%s) FAILED" % part, text))
                sc.res[part + "_partial"] = sc.res.pop(part, None)
                sc.close_clients()
                sc.stop_sidecars(sc.sidecars[n0:])
                rc = 1
    except (KeyboardInterrupt, Abort) as e:
        log("interrupted (%s): stopping everything" % (e or "Ctrl-C"))
        rc = 130
    except Exception as e:
        log("ERROR: %s: %s" % (type(e).__name__, e))
        sc.res["errors"].append(("setup FAILED", "%s: %s" % (type(e).__name__, e)))
        rc = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        sc.cleanup()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    info["duration"] = time.monotonic() - t0
    info["load_end"] = bn.loadavg()
    if rc != 130:
        try:
            text = report(sc, info)
        except Exception as e:      # a partial result must not hide the failure
            text = "# brokernet scale benchmark\n\nreport failed: %r\nresults: %r\n" % (e, sc.res)
            rc = 1
        sys.stdout.write(text)
        sys.stdout.flush()
        os.makedirs(os.path.dirname(os.path.abspath(o.out)), exist_ok=True)
        with open(o.out, "w") as f:
            f.write(text)
        log("report written to %s (%.0f s)" % (o.out, info["duration"]))
    if o.keep or rc not in (0, 130):
        log("kept %s" % sc.base)
    else:
        shutil.rmtree(sc.base, ignore_errors=True)
    return rc


if __name__ == "__main__":
    sys.exit(main())
