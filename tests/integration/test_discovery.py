"""multicast:// discovery: sidecars find each other over mDNS/DNS-SD (avahi).

Each test gets its own private D-Bus and avahi-daemon limited to lo
(tools/bnavahi.py), so nothing is published on a real LAN and no test sees
another's services. The sidecars get DBUS_SYSTEM_BUS_ADDRESS through
os.environ. Skipped when an avahi-daemon already runs on the machine (we
refuse to reuse it: it may publish on a real network) or avahi is missing.
"""

import os
import shutil
import signal
import subprocess
import time
import unittest

from netbase import NetTestCase, Sidecar, connector_xml, metric, wait_for

import bnavahi  # noqa: E402  (tools/ is on sys.path through netbase)
from bnharness import free_port  # noqa: E402

GROUP_URI = "multicast://default"


def mcast(uri=GROUP_URI):
    return connector_xml("lan", [], uri=uri)


def _skip_reason():
    for tool in ("dbus-daemon", "avahi-daemon"):
        if shutil.which(tool) is None:
            return "%s not installed" % tool
    others = bnavahi.running_avahi_daemons()
    if others:
        return ("an avahi-daemon is already running (pid %s): refusing to reuse"
                " it" % ", ".join(map(str, others)))
    return None


class Discovery(NetTestCase):
    BROKERS = ("A", "B", "C")

    @classmethod
    def setUpClass(cls):
        reason = _skip_reason()
        if reason:
            raise unittest.SkipTest(reason)
        super().setUpClass()

    def setUp(self):
        # The avahi environment is stopped after the sidecars: cleanups run
        # last-in first-out and NetTestCase.setUp registers its own after.
        self.avahi = bnavahi.AvahiEnv(os.path.join(self.dir, self._testMethodName,
                                                   "avahi"))
        self.saved_env = {k: os.environ.get(k) for k in self.avahi.env}
        self.addCleanup(self._restore_env)
        self.addCleanup(self.avahi.stop)
        self.avahi.start()
        os.environ.update(self.avahi.env)
        super().setUp()

    def _restore_env(self):
        for k, v in self.saved_env.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v

    # -- helpers
    def mside(self, name, broker=None, uri=GROUP_URI, start=True):
        """A sidecar whose only connector is multicast (uri)."""
        return self.sidecar(name, [mcast(uri)], broker=self.brokers[broker or name],
                            start=start)

    def launch(self, names_brokers, uri=GROUP_URI):
        """Starts sidecars without waiting (for timing); returns (sidecars, t0)."""
        scs = []
        for name, broker in names_brokers:
            scs.append(self.sidecar(name, [mcast(uri)], broker=self.brokers[broker],
                                    start=False))
        t0 = time.monotonic()
        for s in scs:
            s.start(wait=False)
        return scs, t0

    @staticmethod
    def peers_up(s):
        """Names of the peers s has a link up with, or None if s does not answer."""
        try:
            return sorted(l["peer"] for l in s.links_up())
        except (OSError, ValueError, KeyError):
            if not s.running():
                raise RuntimeError("sidecar %s exited %s; log:\n%s"
                                   % (s.name, s.proc.returncode, s.log_tail()))
            return None

    def wait_mesh(self, scs, timeout):
        """Waits until every sidecar has exactly one link up to each other one."""
        names = {s.name for s in scs}

        def done():
            for s in scs:
                if self.peers_up(s) != sorted(names - {s.name}):
                    return False
            return True
        try:
            wait_for(done, timeout, interval=0.05, what="full mesh")
        except TimeoutError:
            self.fail("no full mesh of %d sidecars after %.0f s; links up: %s"
                      % (len(scs), timeout, {s.name: self.peers_up(s) for s in scs}))

    def assert_mesh_stable(self, scs, seconds=1.5):
        """No extra or duplicate link shows up for a while (one link per pair)."""
        names = {s.name for s in scs}
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            for s in scs:
                self.assertEqual(self.peers_up(s), sorted(names - {s.name}),
                                 "links of %s" % s.name)
            time.sleep(0.25)

    def discovery(self, s):
        d = s.status()["discovery"]
        self.assertEqual(len(d), 1, d)
        return d[0]

    def wait_no_link(self, s, peer, timeout):
        wait_for(lambda: peer not in (self.peers_up(s) or [peer]), timeout,
                 interval=0.05, what="%s drops its link to %s" % (s.name, peer))

    # -- tests
    def test_1_three_brokers_mesh_and_forward(self):
        scs, t0 = self.launch([("A", "A"), ("B", "B"), ("C", "C")])
        self.wait_mesh(scs, 30)
        dt = time.monotonic() - t0
        metric("discovery: 3 sidecars (multicast://default) from launch to full mesh"
               " (3 links up): %.2f s" % dt)
        a, b, c = scs
        for s in scs:
            wait_for(lambda s=s: s.status()["broker"]["state"] == "connected", 20,
                     what="sidecar %s broker session" % s.name)
        self.assert_mesh_stable(scs)
        for s in scs:
            d = self.discovery(s)
            self.assertEqual(d["group"], "default")
            self.assertEqual(d["state"], "running")
            self.assertEqual(d["published_as"], s.name)
            seen = sorted(p["broker"] for p in d["peers"])
            self.assertEqual(seen, sorted({"A", "B", "C"} - {s.name}), d)
            for p in d["peers"]:
                self.assertEqual(p["source"], "mdns")
                self.assertEqual(p["host"], "127.0.0.1")
                want = {x.name: x.link_port for x in scs}[p["broker"]]
                self.assertEqual(p["port"], want, p)
        # Exactly one link per pair, dialed by the smaller name.
        for s in scs:
            for l in s.links_up():
                want = "dialed" if s.name < l["peer"] else "accepted"
                self.assertEqual(l["direction"], want, (s.name, l))

        q = self.queue("mcast")
        cons = self.consumer("C", q, prefetch=100)
        a.wait_subscription(q)
        t1 = time.monotonic()
        self.produce("A", q, 300)
        got = self.collect(cons, 300, idle=5)
        ns = self.ns(got)
        self.assertEqual(len(ns), 300, "C received %d of 300" % len(ns))
        self.assertEqual(sorted(ns), list(range(300)), "each message exactly once")
        metric("discovery: 300 msgs A->C over a discovered link: %.2f s"
               % (time.monotonic() - t1))
        self.assertEqual(self.collect(cons, 1, idle=1.0), [], "no duplicates")

    def test_2_clean_stop_and_restart(self):
        scs, _ = self.launch([("A", "A"), ("B", "B"), ("C", "C")])
        self.wait_mesh(scs, 30)
        a, b, c = scs
        t0 = time.monotonic()
        self.assertEqual(b.stop(), 0, b.log_tail())
        self.wait_no_link(a, "B", 10)
        self.wait_no_link(c, "B", 10)
        metric("discovery: clean stop of B -> A and C without its link: %.2f s"
               % (time.monotonic() - t0))
        # mDNS withdrew B (goodbye): it leaves the discovery tables too.
        wait_for(lambda: all("B" not in [p["broker"] for p in self.discovery(s)["peers"]]
                             for s in (a, c)), 10, what="B gone from discovery")
        self.assertEqual(self.peers_up(a), ["C"])
        self.assertEqual(self.peers_up(c), ["A"])
        t0 = time.monotonic()
        b.start(wait=False)
        self.wait_mesh(scs, 30)
        metric("discovery: B restarted -> full mesh again: %.2f s"
               % (time.monotonic() - t0))
        self.assert_mesh_stable(scs)

    def test_3_kill9_noticed(self):
        scs, _ = self.launch([("A", "A"), ("B", "B"), ("C", "C")])
        self.wait_mesh(scs, 30)
        a, b, c = scs
        t0 = time.monotonic()
        c.kill9()
        c.killed = True
        self.wait_no_link(a, "C", 10)
        self.wait_no_link(b, "C", 10)
        metric("discovery: kill -9 of C -> A and B without its link: %.2f s"
               % (time.monotonic() - t0))
        self.assertEqual(self.peers_up(a), ["B"])
        self.assertEqual(self.peers_up(b), ["A"])

    def test_3b_frozen_sidecar_dropped_by_heartbeats(self):
        # kill -9 closes the TCP sockets (and avahi sees the D-Bus client go):
        # a frozen process keeps both, so only link heart-beats can notice.
        scs, _ = self.launch([("A", "A"), ("B", "B"), ("C", "C")])
        self.wait_mesh(scs, 30)
        a, b, c = scs
        self.addCleanup(lambda: c.proc.poll() is None and c.proc.send_signal(signal.SIGCONT))
        t0 = time.monotonic()
        c.proc.send_signal(signal.SIGSTOP)
        self.wait_no_link(a, "C", 12)
        self.wait_no_link(b, "C", 12)
        dt = time.monotonic() - t0
        metric("discovery: SIGSTOP of C -> A and B drop its link (heart-beats): %.2f s"
               % dt)
        self.assertGreater(dt, 2.0, "dropped before any heart-beat was missed?")
        self.assertEqual(self.peers_up(a), ["B"])
        # Its service is still published (the process lives): peers keep it
        # as a dial target, and the link comes back once it thaws.
        c.proc.send_signal(signal.SIGCONT)
        self.wait_mesh(scs, 30)

    def test_4_other_group_links_to_nobody(self):
        scs, _ = self.launch([("A", "A"), ("B", "B")])
        o = self.sidecar("O", [mcast("multicast://other")], broker=self.brokers["C"],
                         start=False)
        o.start()
        self.wait_mesh(scs, 30)
        a, b = scs
        # Publish -> resolve takes ~1 s; give it several.
        time.sleep(4.0)
        self.assertEqual(self.peers_up(o), [])
        self.assertEqual(o.status()["links"], [])
        self.assertEqual(o.status()["connectors"], [], "O must dial nobody")
        d = self.discovery(o)
        self.assertEqual(d["group"], "other")
        self.assertEqual(d["state"], "running")
        self.assertEqual(d["published_as"], "O")
        self.assertEqual(d["peers"], [])
        for s in (a, b):
            self.assertNotIn("O", [p["broker"] for p in self.discovery(s)["peers"]])
            self.assertNotIn("O", self.peers_up(s))
        self.assert_mesh_stable(scs)

    def test_5_ten_sidecars_convergence(self):
        names = [("S%02d" % i, "ABC"[i % 3]) for i in range(10)]
        scs, t0 = self.launch(names)
        self.wait_mesh(scs, 90)
        dt = time.monotonic() - t0
        metric("discovery: 10 sidecars (3 brokers) from launch to full mesh"
               " (45 links, 9 each): %.2f s" % dt)
        self.assert_mesh_stable(scs, 2.0)

    def test_6_avahi_restart_keeps_links_and_republishes(self):
        scs, _ = self.launch([("A", "A"), ("B", "B")])
        self.wait_mesh(scs, 30)
        a, b = scs
        self.avahi.restart_avahi()
        # Links never depended on mDNS: they stay up throughout.
        self.assertEqual(self.peers_up(a), ["B"])
        wait_for(lambda: all(self.discovery(s)["state"] == "running" and
                             self.discovery(s)["published_as"] == s.name
                             for s in scs), 20, what="re-published after restart")
        # A newcomer after the restart finds both (they published again).
        t0 = time.monotonic()
        c = self.mside("C", start=False)
        c.start(wait=False)
        self.wait_mesh(scs + [c], 30)
        metric("discovery: newcomer after avahi-daemon restart -> full mesh: %.2f s"
               % (time.monotonic() - t0))
        for s in scs:
            self.assertEqual(sorted(p["broker"] for p in self.discovery(s)["peers"]),
                             sorted({"A", "B", "C"} - {s.name}))

    def announce(self, instance, broker, port):
        """Publishes a fake brokernet service in the default group with
        avahi-publish (on this test's private avahi); stopped by PID."""
        if shutil.which("avahi-publish") is None:
            self.skipTest("avahi-publish not installed (avahi-utils)")
        p = subprocess.Popen(
            ["avahi-publish", "-s", "--subtype=_default._sub._brokernet._tcp",
             instance, "_brokernet._tcp", str(port), "group=default", "v=1",
             "broker=" + broker],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def stop():
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
                try:
                    p.wait(5)
                except subprocess.TimeoutExpired:
                    os.kill(p.pid, signal.SIGKILL)
                    p.wait()
        self.addCleanup(stop)
        return p

    def test_7_bad_peer_name_ignored(self):
        """A peer announcing a name that would break paths (a comma) is
        ignored with its reason logged; a good one beside it is taken."""
        a = self.mside("A")
        self.announce("good", "Zed", free_port())
        self.announce("evil", "B,C", free_port())
        wait_for(lambda: any(p["broker"] == "Zed"
                             for p in self.discovery(a)["peers"]), 15,
                 interval=0.1, what="the good fake peer discovered")
        wait_for(lambda: "announces a broker name that contains a comma" in
                 a.log_text(), 10, interval=0.1, what="the bad name logged")
        self.assertEqual([p["broker"] for p in self.discovery(a)["peers"]],
                         ["Zed"])
        self.assertNotIn("B,C", [c["peer"] for c in a.status()["connectors"]])
        self.assertIn("Zed", [c["peer"] for c in a.status()["connectors"]])


if __name__ == "__main__":
    unittest.main()
