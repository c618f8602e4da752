"""Master/slave under a sidecar, on the default sidecar configuration
(no dataDirectory): A is two brokers sharing a private PostgreSQL through
jdbcPersistenceAdapter with a lease-database-locker (or, in the second test,
one shared KahaDB directory), its sidecar on
failover:(stomp://master,stomp://slave)?randomize=false; B is a plain broker
with its own sidecar; link A -> B.  kill -9 of the master mid-stream loses
and duplicates nothing.  The recovery timings are printed (metrics.log);
tools/bench-failover.py repeats the run for figures."""

import os
import unittest

from netbase import NetTestCase, metric
import bnfailover


class MasterSlaveDefaults(NetTestCase):
    BROKERS = ("B",)

    def master_kill(self, pair):
        N = 4000
        r = bnfailover.master_kill(os.path.join(self.tdir, "run"), self.brokers["B"],
                                   pair=pair, n=N, kill_at=1000, log=print)
        metric("%s master/slave, no dataDirectory, kill -9 of the master after %d of %d"
               " stored on B: %s" % (pair, r["stored_at_kill"], N, bnfailover.describe(r)))
        self.assertEqual(r["sidecar_rc"], {"A": 0, "B": 0}, "sidecars exit cleanly")
        self.assertGreaterEqual(r["stored_at_kill"], 1000)
        self.assertLess(r["stored_at_kill"], N, "the kill came mid-stream")
        self.assertEqual((r["distinct"], r["duplicates"]), (N, 0))
        self.assertEqual(r["a_current"], r["slave_uri"], "A's sidecar is on the slave")

    def test_jdbc_master_kill_exactly_once(self):
        self.master_kill("jdbc")

    def test_kahadb_master_kill_exactly_once(self):
        self.master_kill("kahadb")


if __name__ == "__main__":
    unittest.main()
