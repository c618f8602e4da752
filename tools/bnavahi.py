"""bnavahi: a private D-Bus system bus and an avahi-daemon limited to lo, for tests.

Standard library only. Both daemons run in the foreground as children of this
process and are stopped by PID (stop(), and atexit). Nothing is published
beyond the loopback interface: avahi.conf says allow-interfaces=lo, and start()
refuses to run when an avahi-daemon is already running on the machine (it
would publish our services on a real LAN, and two daemons on one host fight
over port 5353 and /run/avahi-daemon).

Module use::

    env = AvahiEnv("/tmp/x")            # logs and configs there
    env.start()                          # waits for "New relevant interface lo"
    os.environ.update(env.env)           # DBUS_SYSTEM_BUS_ADDRESS for children
    ... env.restart_avahi() ...
    env.stop()

Command line (manual experiments)::

    python3 tools/bnavahi.py run [DIR]  # prints the export line, runs until ^C
"""

import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

__all__ = ["AvahiEnv", "AvahiEnvError", "running_avahi_daemons"]

DBUS_DAEMON = os.environ.get("BN_DBUS_DAEMON", "dbus-daemon")
AVAHI_DAEMON = os.environ.get("BN_AVAHI_DAEMON", "avahi-daemon")
HOST_NAME = "bntest"
READY_LINES = ("New relevant interface lo", "Server startup complete")
SUN_PATH_MAX = 107   # sockaddr_un.sun_path minus the NUL

_live = []

from bnproc import _set_pdeathsig  # noqa: E402 (child dies with the test process)


class AvahiEnvError(RuntimeError):
    pass


def running_avahi_daemons(exclude=()):
    """PIDs of avahi-daemon processes on this machine (by /proc/*/comm)."""
    pids = []
    for d in os.listdir("/proc"):
        if not d.isdigit() or int(d) in exclude:
            continue
        try:
            with open("/proc/%s/comm" % d) as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm.startswith("avahi-daemon"):
            pids.append(int(d))
    return pids


BUS_CONF = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<!-- brokernet tests: a private system bus, no service activation. -->
<busconfig>
  <type>system</type>
  <listen>unix:path=%(sock)s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/>
    <allow user="%(user)s"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
  </policy>
  <limit name="max_completed_connections">1024</limit>
  <limit name="max_match_rules_per_connection">4096</limit>
</busconfig>
"""

AVAHI_CONF = """# brokernet tests: loopback only, never the real LAN.
[server]
host-name=%(host)s
domain-name=local
use-ipv4=yes
use-ipv6=no
allow-interfaces=lo
enable-dbus=yes
disallow-other-stacks=no
ratelimit-interval-usec=1000000
ratelimit-burst=1000

[wide-area]
enable-wide-area=no

[publish]
disable-publishing=no
disable-user-service-publishing=no
publish-addresses=yes
publish-hinfo=no
publish-workstation=no
publish-domain=no
publish-aaaa-on-ipv4=no
publish-a-on-ipv6=no

[reflector]
enable-reflector=no

[rlimits]
"""


class AvahiEnv:
    """dbus-daemon + avahi-daemon (lo only) as children of this process."""

    def __init__(self, basedir=None, host_name=HOST_NAME):
        # Sockets live in a short directory under /tmp (sun_path is ~107
        # bytes); configs and logs in basedir (default: that directory).
        self.rundir = tempfile.mkdtemp(prefix="bnav-", dir="/tmp")
        self.dir = basedir or self.rundir
        os.makedirs(self.dir, exist_ok=True)
        self.host_name = host_name
        self.bus_sock = os.path.join(self.rundir, "bus.sock")
        if len(self.bus_sock) > SUN_PATH_MAX:
            raise AvahiEnvError("socket path too long: %s" % self.bus_sock)
        self.bus_conf = os.path.join(self.dir, "bus.conf")
        self.avahi_conf = os.path.join(self.dir, "avahi.conf")
        self.bus_log = os.path.join(self.dir, "dbus.log")
        self.avahi_log = os.path.join(self.dir, "avahi.log")
        self.address = "unix:path=" + self.bus_sock
        self.env = {"DBUS_SYSTEM_BUS_ADDRESS": self.address}
        self.bus = None
        self.avahi = None
        self._log_offset = 0

    def __repr__(self):
        return "AvahiEnv(%s, bus=%s, avahi=%s)" % (
            self.dir, self.bus and self.bus.pid, self.avahi and self.avahi.pid)

    # -- files
    def write_config(self):
        try:
            import pwd
            user = pwd.getpwuid(os.getuid()).pw_name
        except Exception:
            user = "root"
        with open(self.bus_conf, "w") as f:
            f.write(BUS_CONF % {"sock": self.bus_sock, "user": user})
        with open(self.avahi_conf, "w") as f:
            f.write(AVAHI_CONF % {"host": self.host_name})

    def avahi_log_text(self, since_start=False):
        try:
            with open(self.avahi_log, "rb") as f:
                if since_start:
                    f.seek(self._log_offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    # -- lifecycle
    def start(self, timeout=15.0):
        """Starts the bus and avahi-daemon; returns self once avahi is ready on lo."""
        others = running_avahi_daemons(exclude=self._our_pids())
        if others:
            raise AvahiEnvError(
                "an avahi-daemon is already running (pid %s); refusing to start"
                " another or to reuse it (it may publish on a real LAN)"
                % ", ".join(map(str, others)))
        for tool in (DBUS_DAEMON, AVAHI_DAEMON):
            if shutil.which(tool) is None:
                raise AvahiEnvError("%s not found (apt-get install dbus-daemon"
                                    " avahi-daemon)" % tool)
        self.write_config()
        if self not in _live:
            _live.append(self)
        try:
            self._start_bus(timeout)
            self.start_avahi(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def _start_bus(self, timeout):
        if os.path.exists(self.bus_sock):
            os.unlink(self.bus_sock)
        logf = open(self.bus_log, "ab")
        self.bus = subprocess.Popen(
            [DBUS_DAEMON, "--config-file=" + self.bus_conf, "--nofork",
             "--nopidfile", "--nosyslog"],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
            preexec_fn=_set_pdeathsig)
        logf.close()
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.bus_sock):
            if self.bus.poll() is not None:
                raise AvahiEnvError("dbus-daemon exited with %s; log:\n%s"
                                    % (self.bus.returncode, _read(self.bus_log)))
            if time.monotonic() > deadline:
                raise AvahiEnvError("dbus-daemon did not create %s" % self.bus_sock)
            time.sleep(0.02)

    def start_avahi(self, timeout=15.0):
        """Starts avahi-daemon alone (the bus must run) and waits until ready on lo."""
        if self.bus is None or self.bus.poll() is not None:
            raise AvahiEnvError("the private D-Bus is not running")
        others = running_avahi_daemons(exclude=self._our_pids())
        if others:
            raise AvahiEnvError("an avahi-daemon is already running (pid %s)"
                                % ", ".join(map(str, others)))
        try:
            self._log_offset = os.path.getsize(self.avahi_log)
        except OSError:
            self._log_offset = 0
        env = dict(os.environ)
        env.update(self.env)
        logf = open(self.avahi_log, "ab")
        self.avahi = subprocess.Popen(
            [AVAHI_DAEMON, "-f", self.avahi_conf, "--no-drop-root", "--no-chroot",
             "--no-rlimits", "--no-proc-title"],
            stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
            env=env, preexec_fn=_set_pdeathsig)
        logf.close()
        deadline = time.monotonic() + timeout
        while True:
            text = self.avahi_log_text(since_start=True)
            if all(l in text for l in READY_LINES):
                return self
            if self.avahi.poll() is not None:
                raise AvahiEnvError("avahi-daemon exited with %s; log:\n%s"
                                    % (self.avahi.returncode, text))
            if time.monotonic() > deadline:
                raise AvahiEnvError(
                    "avahi-daemon not ready on lo after %.0f s (no \"%s\"); log:\n%s"
                    % (timeout, READY_LINES[0], text))
            time.sleep(0.02)

    def stop_avahi(self, timeout=5.0):
        _stop(self.avahi, timeout)
        self.avahi = None

    def restart_avahi(self, timeout=15.0, down_for=0.0):
        """Stops avahi-daemon (by PID), optionally waits, starts it again."""
        self.stop_avahi()
        if down_for:
            time.sleep(down_for)
        return self.start_avahi(timeout)

    def stop(self, timeout=5.0):
        """Stops avahi-daemon, then the bus; removes the socket directory."""
        self.stop_avahi(timeout)
        _stop(self.bus, timeout)
        self.bus = None
        shutil.rmtree(self.rundir, ignore_errors=True)
        if self in _live:
            _live.remove(self)

    def running(self):
        return (self.bus is not None and self.bus.poll() is None and
                self.avahi is not None and self.avahi.poll() is None)

    def _our_pids(self):
        return set(p.pid for e in _live for p in (e.avahi, e.bus) if p is not None)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _read(path):
    try:
        with open(path, errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def _stop(proc, timeout):
    if proc is None:
        return
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _cleanup():
    for e in list(_live):
        try:
            e.stop(timeout=2.0)
        except Exception:
            pass


atexit.register(_cleanup)


def _cli(argv):
    if len(argv) < 2 or argv[1] != "run":
        print(__doc__)
        return 2
    env = AvahiEnv(argv[2] if len(argv) > 2 else None).start()
    print("export DBUS_SYSTEM_BUS_ADDRESS=%s" % env.address, flush=True)
    print("# avahi log: %s; ^C to stop" % env.avahi_log, flush=True)
    try:
        signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
        while env.running():
            time.sleep(0.5)
        print("a daemon exited; stopping", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        env.stop()


if __name__ == "__main__":
    sys.exit(_cli(sys.argv))
