"""make install into a DESTDIR: the installed binary, config, unit and man
page work (issue 7)."""

import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Install(unittest.TestCase):

    def setUp(self):
        self.dest = tempfile.mkdtemp(prefix="bn-install-")
        self.addCleanup(shutil.rmtree, self.dest, True)
        r = subprocess.run(["make", "-s", "install", "DESTDIR=" + self.dest, "PREFIX=/usr"],
                           cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def path(self, p):
        return os.path.join(self.dest, p.lstrip("/"))

    def test_binary_config_unit_man(self):
        exe = self.path("/usr/bin/brokernetd")
        r = subprocess.run([exe, "-V"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("brokernetd "), r.stdout)
        conf = self.path("/etc/brokernet/brokernet.xml")
        r = subprocess.run([exe, "-c", conf, "-n"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        for ex in os.listdir(self.path("/usr/share/brokernet")):
            if ex.endswith(".xml"):
                r = subprocess.run([exe, "-c", self.path("/usr/share/brokernet/" + ex), "-n"],
                                   capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, ex + ": " + r.stderr)
        unit = open(self.path("/usr/lib/systemd/system/brokernetd.service")).read()
        self.assertIn("ExecStart=/usr/bin/brokernetd -c /etc/brokernet/brokernet.xml", unit)
        self.assertNotIn("@PREFIX@", unit)
        self.assertTrue(os.path.exists(self.path("/usr/share/brokernet/topology.html")))
        man = self.path("/usr/share/man/man8/brokernetd.8")
        if shutil.which("man") is None:
            self.skipTest("man-db not installed (tools/deps.sh installs it)")
        env = dict(os.environ, MANWIDTH="80")
        r = subprocess.run(["man", "--warnings", "-l", man], capture_output=True, text=True,
                           env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.strip(), "", "man page warnings:\n" + r.stderr)
        self.assertIn("networkConnector", r.stdout)

    def test_uninstall_keeps_config(self):
        r = subprocess.run(["make", "-s", "uninstall", "DESTDIR=" + self.dest, "PREFIX=/usr"],
                           cwd=ROOT, capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.path("/usr/bin/brokernetd")))
        self.assertTrue(os.path.exists(self.path("/etc/brokernet/brokernet.xml")))


if __name__ == "__main__":
    unittest.main()
