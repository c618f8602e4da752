"""Broker preflight (issue 18): a sidecar beside a broker that cannot serve
consumer advisories says why, once, with the fix, shows it in
/status, /metrics and /ui, and retries with back-off instead of spinning.

Two real brokers: NJ without XStream/Jettison in its lib/ (the harness's
link_jars=False: the broker closes the connection at the advisory
SUBSCRIBE, no ERROR frame), NA with advisorySupport="false" (nothing is
ever delivered). Over tcp:// (OpenWire) NJ needs no jars: advisories are
read natively. Healthy brokers are covered by every other suite (and
test_ctl checks preflight ok there).
"""

import os
import time
import unittest
import urllib.request

from netbase import NetTestCase, wait_for

try:
    from test_ui import CHROMIUM, Chromium
except ImportError:     # pragma: no cover
    CHROMIUM, Chromium = "", None


def preflight_lines(sidecar):
    return [l for l in sidecar.log_text().splitlines() if "warn: preflight:" in l]


class Preflight(NetTestCase):
    BROKERS = ("NA", "NJ")
    BROKER_OPTS = {"NJ": {"link_jars": False}, "NA": {"advisory_support": False}}

    def start_sidecar(self, name, **kw):
        s = self.sidecar(name, start=False, **kw)
        s.start(wait=False)
        wait_for(lambda: s._status_or_none() is not None, 10,
                 what="sidecar %s management endpoint" % name)
        return s

    def problem(self, s, words):
        def check():
            pf = s.status()["preflight"]
            return pf if pf["problem"] and words in pf["problem"] else None
        return wait_for(check, 15, what="preflight problem %r on %s" % (words, s.name))

    def test_missing_jars(self):
        """Over stomp:// (whatever BN_BROKER_PROTO says): advisories need
        the jars."""
        s = self.start_sidecar("NJ", broker_uri="stomp://127.0.0.1:%d"
                               % self.brokers["NJ"].stomp_port)
        pf = self.problem(s, "dropped the advisory subscription")
        self.assertFalse(pf["ok"])
        self.assertIn("libxstream-java", pf["fix"])
        self.assertIn("libjettison-java", pf["fix"])
        self.assertIn("lib/", pf["fix"])
        self.assertIn("upstream ActiveMQ tarball", pf["fix"])
        self.assertIn("brokernet_preflight_ok 0", s.metrics())
        # no spinning: the reconnects follow the back-off (1, 2, 4 s ...)
        c0 = s.status()["broker"]["connects"]
        time.sleep(6)
        st = s.status()
        c1 = st["broker"]["connects"]
        print("\n  NJ: %d broker sessions in 6 s; preflight %s" % (c1 - c0, st["preflight"]))
        self.assertLessEqual(c1 - c0, 4, "the sidecar reconnects without back-off")
        self.assertGreaterEqual(st["preflight"]["failures"], 2, "no retry happened")
        lines = preflight_lines(s)
        self.assertEqual(len(lines), 1, "the cause is not logged exactly once:\n" +
                         "\n".join(lines))
        print("  log: " + lines[0])
        self.assertIn("broker dropped the advisory subscription", lines[0])
        self.assertIn("install libxstream-java and libjettison-java", lines[0])
        self.assertIn("stomp://127.0.0.1:%d" % self.brokers["NJ"].stomp_port, lines[0])
        self.check_ui(s, "dropped the advisory subscription")

    def test_missing_jars_openwire_needs_none(self):
        """Over tcp:// the same jar-less broker is fine: advisories arrive as
        ConsumerInfo/RemoveInfo and the sidecar reads them itself."""
        s = self.start_sidecar("NJ", broker_uri="tcp://127.0.0.1:%d"
                               % self.brokers["NJ"].openwire_port)
        wait_for(lambda: s.status()["preflight"]["ok"], 15, what="preflight ok over tcp://")
        self.assertEqual(s.status()["preflight"]["state"], "ok")
        self.assertEqual(preflight_lines(s), [])
        c = self.client("NJ")
        q = "test.preflight.demand"
        c.subscribe("/queue/" + q, id="1")
        wait_for(lambda: q in s.status()["local_demand"], 10,
                 what="a consumer seen as demand through native advisories")
        c.disconnect()
        wait_for(lambda: q not in s.status()["local_demand"], 10,
                 what="its departure seen (RemoveInfo)")
        self.assertEqual(s.status()["broker"]["connects"], 1)

    def test_advisories_off(self):
        s = self.start_sidecar("NA")
        pf = self.problem(s, "no consumer advisory")
        self.assertFalse(pf["ok"])
        self.assertIn('advisorySupport="true"', pf["fix"])
        st = s.status()
        self.assertEqual(st["broker"]["state"], "connected")
        time.sleep(5)
        st = s.status()
        print("\n  NA: preflight %s" % st["preflight"])
        # the session stays; the probe is repeated with back-off, not spun
        self.assertEqual(st["broker"]["connects"], 1)
        self.assertGreaterEqual(st["preflight"]["checks"], 2, "no re-check happened")
        self.assertLessEqual(st["preflight"]["checks"], 4, "re-checks without back-off")
        lines = preflight_lines(s)
        self.assertEqual(len(lines), 1, "\n".join(lines))
        print("  log: " + lines[0])
        self.assertIn("broker sent no consumer advisory", lines[0])
        self.assertIn('set advisorySupport="true"', lines[0])
        # The operator fixes the broker and restarts it: the check passes.
        b = self.brokers["NA"]
        b.advisory_support = True
        b.restart()
        wait_for(lambda: s.status()["preflight"]["ok"], 20, what="preflight ok after the fix")
        st = s.status()
        self.assertIsNone(st["preflight"]["problem"])
        self.assertEqual(st["preflight"]["state"], "ok")
        self.assertIn("brokernet_preflight_ok 1", s.metrics())
        self.assertIn("the earlier problem is gone", s.log_text())

    def check_ui(self, s, words):
        if Chromium is None or not os.path.exists(CHROMIUM):
            print("  (chromium absent: /ui not checked in a browser)")
            with urllib.request.urlopen("http://127.0.0.1:%d/ui" % s.mgmt_port) as r:
                self.assertIn(b'id="preflight"', r.read())
            return
        ch = Chromium(self.tdir)
        self.addCleanup(ch.stop)
        ch.start()
        ch.navigate("http://127.0.0.1:%d/ui" % s.mgmt_port)
        js = r"""(() => ({banner: document.getElementById('preflight').textContent,
            node: (document.querySelector('#graph g.node[data-broker="NJ"]') || {getAttribute:
            () => ''}).getAttribute('class')}))()"""
        got = wait_for(lambda: (lambda v: v if words in v["banner"] else None)(ch.eval(js)),
                       15, what="the /ui preflight banner")
        self.assertIn("NJ", got["banner"])
        self.assertIn("libxstream-java", got["banner"])
        self.assertIn("preflight-fail", got["node"])


if __name__ == "__main__":
    unittest.main()
