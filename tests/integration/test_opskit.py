"""Operators' kit (issue 18) against a real three-broker network:
brokernetctl's terminal view and --json document, and the Grafana
dashboard's metric names checked against a live /metrics.

Network: C (and a standby sidecar beside broker C); B dials C; A dials B
and C and has a connector to a port where nothing listens (a failing
connector). Consumers: queue ops.orders on C, queue ops.audit on B. Traffic
A -> C while brokernetctl samples.
"""

import json
import os
import re
import subprocess
import threading
import time
import unittest

from netbase import NetTestCase, OUT, ROOT, connector_xml, wait_for
from bnsidecar import Sidecar

import bnharness

CTL = os.path.join(ROOT, "bin", "brokernetctl")
DASHBOARD = os.path.join(ROOT, "etc", "grafana-brokernet.json")


def ctl(*args, timeout=30):
    return subprocess.run([CTL, "status"] + list(args), capture_output=True, text=True,
                          timeout=timeout)


class OpsKit(NetTestCase):
    BROKERS = ("A", "B", "C")

    def network(self):
        c = self.sidecar("C")
        b = self.sidecar("B", [connector_xml("to-C", [c.link_port])])
        self.dead_port = bnharness.free_port()
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port]),
                               connector_xml("to-C", [c.link_port]),
                               connector_xml("to-X", [self.dead_port])])
        a.wait_link("B")
        a.wait_link("C")
        b.wait_link("C")
        self.orders = self.queue("ops.orders")
        self.audit = self.queue("ops.audit")
        self.consumer("C", self.orders)
        self.consumer("B", self.audit)
        a.wait_subscription(self.orders)
        a.wait_subscription(self.audit)
        for s in (a, b, c):
            wait_for(lambda s=s: s.status()["preflight"]["ok"], 15,
                     what="preflight ok on %s" % s.name)
        return a, b, c

    def traffic(self, queue, seconds=4.0, rate=400):
        t = threading.Thread(target=self.produce, args=("A", queue, int(seconds * rate)),
                             kwargs={"rate": rate, "persistent": False, "size": 256})
        t.start()
        self.addCleanup(t.join)
        return t

    def standby(self, name):
        s = Sidecar(name, os.path.join(self.tdir, "standby"), self.brokers[name])
        self.sidecars.append(s)
        s.start(role="standby")
        wait_for(lambda: s.status().get("role") == "standby", 10, what="standby " + name)
        return s

    def urls(self, *sidecars):
        return ["http://127.0.0.1:%d" % s.mgmt_port for s in sidecars]

    def test_text_view(self):
        a, b, c = self.network()
        cs = self.standby("C")
        t = self.traffic(self.orders)
        time.sleep(1.0)
        r = ctl(*self.urls(a, b, c, cs))
        t.join()
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        print("\n" + out)
        with open(os.path.join(OUT, "brokernetctl-status.txt"), "w") as f:
            f.write(out)
        for line in out.splitlines():
            self.assertLessEqual(len(line), 100, "line over 100 columns: %r" % line)
        blocks = {" ".join(blk.split()[:2]): blk for blk in out.strip().split("\n\n")}
        self.assertEqual(sorted(blocks), ["A active", "B active", "C active", "C standby"])
        for key, blk in blocks.items():
            head = blk.splitlines()[0]
            self.assertRegex(head, r"^%s  %s  http://127\.0\.0\.1:\d+  brokernetd "
                             % tuple(key.split()))
            self.assertIn("broker    connected", blk)
            self.assertIn("preflight ok", blk)
        self.assertIn("links     none", blocks["C standby"])
        blocks = {k.split()[0]: v for k, v in blocks.items() if k.endswith("active")}
        # A's links: B and C up, dialed; a rate on the link that carries traffic
        rows = {m.group(1): m for m in re.finditer(
            r"^  (\S+)\s+(up)\s+(dialed|accepted)\s+(yes|no)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+"
            r"(\d\d:\d\d:\d\d) (\S+)$", blocks["A"], re.M)}
        self.assertEqual(sorted(rows), ["B", "C"], blocks["A"])
        self.assertEqual(rows["B"].group(3), "dialed")
        self.assertGreater(float(rows["C"].group(5)), 0.0, "no msg/s on A -> C during traffic")
        self.assertEqual(float(rows["B"].group(5)), 0.0)
        # C's side of the same links: accepted, from A and B
        crow = re.findall(r"^  (A|B)\s+up\s+accepted\s", blocks["C"], re.M)
        self.assertEqual(sorted(crow), ["A", "B"], blocks["C"])
        # demand per queue: C has the consumer of orders; A learnt it from C
        self.assertRegex(blocks["C"], r"(?m)^  %s\s+1  -$" % re.escape(self.orders))
        self.assertRegex(blocks["A"], r"(?m)^  %s\s+0  (B,C|C,B|C)$" % re.escape(self.orders))
        self.assertRegex(blocks["A"], r"(?m)^  %s\s+0  (B,C|C,B|B)$" % re.escape(self.audit))
        self.assertRegex(blocks["B"], r"(?m)^  %s\s+1  " % re.escape(self.audit))
        # the failing connector, with its reason
        self.assertRegex(blocks["A"], r"(?m)^  failing   to-X -> 127\.0\.0\.1:%d "
                         r"(waiting|connecting), \d+ attempts: .*refused" % self.dead_port)
        self.assertNotIn("failing", blocks["B"])

    def test_json_and_unreachable(self):
        a, b, c = self.network()
        gone = bnharness.free_port()
        t = self.traffic(self.orders, seconds=3.0)
        time.sleep(0.8)
        r = ctl("--json", "-i", "800", *self.urls(a, c) + ["127.0.0.1:%d" % gone])
        t.join()
        self.assertEqual(r.returncode, 1, "an unreachable sidecar must give exit status 1")
        doc = json.loads(r.stdout)
        self.assertEqual(doc["interval_ms"], 800)
        sa, sc, sx = doc["sidecars"]
        self.assertEqual((sa["broker_name"], sc["broker_name"]), ("A", "C"))
        self.assertEqual((sa["role"], sc["role"]), ("active", "active"))
        self.assertFalse(sx["reachable"])
        self.assertIn("refused", sx["error"])
        self.assertTrue(sa["preflight"]["ok"])
        links = {l["peer"]: l for l in sa["links"]}
        self.assertEqual(sorted(links), ["B", "C"])
        self.assertGreater(links["C"]["messages_out_per_s"], 0)
        self.assertEqual(links["B"]["messages_out_per_s"], 0)
        self.assertEqual(links["C"]["direction"], "dialed")
        self.assertEqual(sc["demand"][self.orders]["consumers"], 1)
        self.assertIn("C", sa["demand"][self.orders]["peers"])
        self.assertEqual(sa["demand"][self.orders]["consumers"], 0)
        failing = [f["name"] for f in sa["failing_connectors"]]
        self.assertEqual(failing, ["to-X"])
        self.assertIn("refused", sa["failing_connectors"][0]["last_error"])
        # usage errors
        self.assertEqual(ctl("ftp://x:1").returncode, 2)
        self.assertEqual(ctl().returncode, 2)

    def test_dashboard_metrics_exist(self):
        a, b, c = self.network()
        with open(DASHBOARD) as f:
            dash = json.load(f)
        exprs = []

        def walk(o):
            if isinstance(o, dict):
                for k in ("expr", "definition"):    # panel queries, variables
                    if isinstance(o.get(k), str):
                        exprs.append(o[k])
                for v in o.values():
                    walk(v)
            elif isinstance(o, list):
                for v in o:
                    walk(v)
        walk(dash)
        self.assertGreaterEqual(len(exprs), 6, "the dashboard has too few queries")
        used = set()
        for e in exprs:
            used |= set(re.findall(r"\bbrokernet_[a-z_]+\b", e))
        live = set()
        for s in (a, b, c):
            live |= set(re.findall(r"(?m)^(brokernet_[a-z_]+)[{ ]", s.metrics()))
        missing = used - live
        print("\n  dashboard: %d queries, metrics %s" % (len(exprs), sorted(used)))
        self.assertEqual(missing, set(), "dashboard queries metrics /metrics does not have")
        for need in ("brokernet_links_up", "brokernet_link_messages_out_total",
                     "brokernet_inflight", "brokernet_duplicates_suppressed_total",
                     "brokernet_store_failed_total", "brokernet_role_active"):
            self.assertIn(need, used, "the dashboard lacks %s" % need)


if __name__ == "__main__":
    unittest.main()
