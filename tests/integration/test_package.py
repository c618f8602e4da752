"""The Debian package (issue 18): `make deb` builds it (or reuses the one
built from the same sources), lintian finds no error or warning, and it is
installed on this machine with dpkg, run as its systemd unit would run it
(no systemd here: the unit's ExecStart as the unit's User, in the state
directory StateDirectory= would create), checked over /status, stopped,
removed (the edited conffile and the user stay) and purged (both go).

Needs root and dpkg-buildpackage, debhelper and lintian (tools/deps.sh
installs them); skipped otherwise, and skipped when a brokernet package or
user already exists on this machine (it is not this test's to touch). The
machine is left as it was, also on failure.
"""

import fcntl
import grp
import json
import os
import pwd
import re
import shutil
import signal
import stat
import subprocess
import unittest

from netbase import NetTestCase, ROOT, wait_for

import bnharness
import bnsidecar

UNIT = "/lib/systemd/system/brokernetd.service"
CONF = "/etc/brokernet/brokernet.xml"
STATE = "/var/lib/brokernet"


def run(*args, check=True, **kw):
    r = subprocess.run(list(args), capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(args), r.returncode,
                                                    r.stdout[-3000:], r.stderr[-3000:]))
    return r


def read(path):
    with open(path) as f:
        return f.read()


def pkg_status():
    r = run("dpkg-query", "-W", "-f=${Status}", "brokernet", check=False)
    return r.stdout.strip() if r.returncode == 0 else ""


def user_exists(name="brokernet"):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name="brokernet"):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def why_skip():
    if os.geteuid() != 0:
        return "not root: dpkg -i needs root"
    for tool in ("dpkg-buildpackage", "dh", "lintian", "fakeroot"):
        if shutil.which(tool) is None:
            return "%s not installed (tools/deps.sh installs it)" % tool
    return None


@unittest.skipIf(why_skip(), why_skip())
class DebianPackage(NetTestCase):
    BROKERS = ("PKG",)

    def setUp(self):
        super().setUp()
        # one package test per machine at a time (the lead and helpers share it)
        self.lock = open("/tmp/brokernet-package.lock", "w")
        self.addCleanup(self.lock.close)
        fcntl.flock(self.lock, fcntl.LOCK_EX)
        if "installed" in pkg_status() or "config-files" in pkg_status():
            self.skipTest("a brokernet package is already on this machine: not touching it")
        if user_exists() or group_exists() or os.path.exists(STATE) or \
                os.path.exists("/etc/brokernet"):
            self.skipTest("a brokernet user, group, %s or /etc/brokernet already exists" % STATE)
        self.daemon = None
        self.addCleanup(self.leave_clean)

    def leave_clean(self):
        if self.daemon is not None and self.daemon.poll() is None:
            self.daemon.kill()
            self.daemon.wait()
        if pkg_status():
            run("dpkg", "--purge", "brokernet", check=False)
        if user_exists():
            run("userdel", "brokernet", check=False)
        if group_exists():
            run("groupdel", "brokernet", check=False)
        shutil.rmtree(STATE, ignore_errors=True)
        shutil.rmtree("/etc/brokernet", ignore_errors=True)

    def test_build_install_run_remove_purge(self):
        r = run("make", "-s", "deb", cwd=ROOT, timeout=600)
        deb = re.search(r"deb: (\S+\.deb)", r.stdout).group(1)
        deb = os.path.join(ROOT, deb)
        with open(os.path.join(ROOT, "obj", "deb", "lintian.log")) as f:
            tags = [l for l in f.read().splitlines() if re.match(r"[EW]: ", l)]
        self.assertEqual(tags, [], "lintian errors or warnings")
        info = run("dpkg-deb", "-f", deb, "Depends").stdout
        for lib in ("libevent", "libxml2", "libjansson", "adduser"):
            self.assertIn(lib, info, "Depends lacks %s (${shlibs:Depends})" % lib)

        run("dpkg", "-i", deb)
        self.assertIn("install ok installed", pkg_status())
        # the system user, the conffile readable by it, the unit, the man pages
        pw = pwd.getpwnam("brokernet")
        self.assertLess(pw.pw_uid, 1000, "not a system user")
        self.assertTrue(pw.pw_shell.endswith("nologin"), pw.pw_shell)
        conffiles = run("dpkg-query", "-W", "-f=${Conffiles}", "brokernet").stdout
        self.assertIn(CONF, conffiles)
        st = os.stat(CONF)
        self.assertEqual((grp.getgrgid(st.st_gid).gr_name, stat.S_IMODE(st.st_mode)),
                         ("brokernet", 0o640))
        unit = read(UNIT)
        self.assertRegex(unit, r"(?m)^User=brokernet$")
        self.assertRegex(unit, r"(?m)^StateDirectory=brokernet$")
        self.assertIn("/usr/share/man/man8/brokernetd.8.gz",
                      run("dpkg", "-L", "brokernet").stdout)
        r = run("/usr/bin/brokernetd", "-c", CONF, "-n")

        # The administrator points the config at this machine's broker.
        broker = self.brokers["PKG"]
        mgmt, link = bnharness.free_port(), bnharness.free_port()
        with open(CONF, "w") as f:
            f.write("""<brokernet name="PKG">
  <broker uri="%s" heartBeat="2000"/>
  <transportConnectors>
    <transportConnector name="link" uri="tcp://127.0.0.1:%d"/>
  </transportConnectors>
  <management uri="http://127.0.0.1:%d"/>
</brokernet>
""" % (bnsidecar.default_broker_uri(broker), link, mgmt))

        # What systemd does for the unit: the state directory, then ExecStart
        # as User/Group in WorkingDirectory with UMask.
        def unit_value(key):
            return re.search(r"(?m)^%s=(.*)$" % key, unit).group(1).strip()
        exec_start = unit_value("ExecStart").split()
        self.assertEqual(exec_start[:3], ["/usr/bin/brokernetd", "-c", CONF])
        self.assertEqual(unit_value("WorkingDirectory"), STATE)
        os.makedirs(STATE, mode=int(unit_value("StateDirectoryMode"), 8))
        os.chown(STATE, pw.pw_uid, pw.pw_gid)
        log = open(os.path.join(self.tdir, "brokernetd.log"), "wb")
        self.addCleanup(log.close)
        self.daemon = subprocess.Popen(
            exec_start, user=unit_value("User"), group=unit_value("Group"),
            extra_groups=[], cwd=STATE, umask=int(unit_value("UMask"), 8),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            preexec_fn=bnharness._set_pdeathsig)
        url = "http://127.0.0.1:%d" % mgmt

        def status():
            if self.daemon.poll() is not None:
                raise AssertionError("brokernetd exited %s:\n%s" % (
                    self.daemon.returncode, read(log.name)))
            r = run("/usr/bin/brokernetctl", "status", "--json", "-i", "0", url, check=False)
            return r.stdout if r.returncode == 0 else None
        doc = wait_for(lambda: (lambda o: o if o and json.loads(o)["sidecars"][0]
                                ["preflight"]["ok"] else None)(status()), 20,
                       what="installed brokernetd up with preflight ok")
        sc = json.loads(doc)["sidecars"][0]
        self.assertEqual(sc["broker_name"], "PKG")
        # preflight runs on the store session; the consumer session follows
        wait_for(lambda: (lambda o: o is not None and json.loads(o)["sidecars"][0]
                          ["broker"]["state"] == "connected")(status()), 10,
                 what="installed brokernetd's consumer session")
        self.assertEqual(os.readlink("/proc/%d/cwd" % self.daemon.pid), STATE)
        with open("/proc/%d/status" % self.daemon.pid) as f:
            uid_line = [l for l in f if l.startswith("Uid:")][0]
        self.assertEqual(int(uid_line.split()[1]), pw.pw_uid)
        self.daemon.send_signal(signal.SIGTERM)
        self.assertEqual(self.daemon.wait(15), 0)

        # remove: binaries go, the edited conffile, the user and the state stay
        run("dpkg", "--remove", "brokernet")
        self.assertIn("config-files", pkg_status())
        self.assertFalse(os.path.exists("/usr/bin/brokernetd"))
        self.assertIn('name="PKG"', read(CONF))
        self.assertTrue(user_exists())
        self.assertTrue(os.path.isdir(STATE))
        # purge: conffile, state directory, user and group go
        run("dpkg", "--purge", "brokernet")
        self.assertEqual(pkg_status(), "")
        self.assertFalse(os.path.exists(CONF))
        self.assertFalse(os.path.exists("/etc/brokernet"))
        self.assertFalse(os.path.exists(STATE))
        self.assertFalse(user_exists())
        self.assertFalse(group_exists())


if __name__ == "__main__":
    unittest.main()
