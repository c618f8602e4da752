"""bnpg: a private PostgreSQL cluster on 127.0.0.1 for tests (JDBC master/slave).

Standard library only.  Uses Debian's PostgreSQL 15 server binaries
(/usr/lib/postgresql/15/bin, package ``postgresql``) but never the system
cluster: initdb makes a new cluster in a directory under the caller's tmp dir,
the postmaster runs as a child of this process (as the ``postgres`` user, or
BN_PG_USER), listens on 127.0.0.1 on a port of its own and has no Unix
socket.  It is stopped by PID (fast shutdown, then SIGKILL), also at
interpreter exit, on SIGTERM/SIGINT of the test (bnharness' registry) and,
through PR_SET_PDEATHSIG, when the test process dies.

    pg = PgCluster("/tmp/x/pg")      # initdb on the first start
    pg.start()
    ... pg.jdbc_url, pg.user, pg.password ...
    pg.stop()

Environment: BN_PG_BINDIR (default /usr/lib/postgresql/15/bin), BN_PG_USER
(default postgres; any non-root user).
"""

import os
import pwd
import secrets
import signal
import socket
import stat
import subprocess
import time

import bnharness

BINDIR = os.environ.get("BN_PG_BINDIR", "/usr/lib/postgresql/15/bin")
RUN_AS = os.environ.get("BN_PG_USER", "postgres")

_live = []


class PgError(RuntimeError):
    """The cluster failed to initialise, start or stop; carries its log tail."""


def _make_traversable(path):
    """tempfile.mkdtemp() makes 0700 dirs: let the server user walk through
    the ancestors this process owns (search permission only, no listing)."""
    d = os.path.dirname(os.path.abspath(path))
    while d not in ("/", ""):
        st = os.stat(d)
        if st.st_uid == os.getuid() and not st.st_mode & stat.S_IXOTH:
            os.chmod(d, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)
        d = os.path.dirname(d)


def _demote(uid, gid):
    def run():
        os.setgroups([])
        os.setgid(gid)
        os.setuid(uid)
        # after setuid: a credential change clears the parent-death signal
        try:
            bnharness._prctl(1, signal.SIGINT, 0, 0, 0)  # fast shutdown
        except Exception:
            pass
    return run


class PgCluster:
    """One PostgreSQL server on 127.0.0.1:port with its data in basedir/data."""

    def __init__(self, basedir, port=None, user="activemq", settings=None):
        self.basedir = os.path.abspath(basedir)
        self.datadir = os.path.join(self.basedir, "data")
        self.log_path = os.path.join(self.basedir, "postgres.log")
        self.port = port or bnharness.free_port()
        self.user = user
        self.password = None
        self.settings = dict(settings or {})
        self.proc = None
        self.start_seconds = None
        pw = pwd.getpwnam(RUN_AS)
        if pw.pw_uid == 0:
            raise PgError("BN_PG_USER must not be root")
        self._uid, self._gid = pw.pw_uid, pw.pw_gid

    @property
    def jdbc_url(self):
        return "jdbc:postgresql://127.0.0.1:%d/postgres" % self.port

    @property
    def pid(self):
        return self.proc.pid if self.proc is not None else None

    def _run(self, argv, what):
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, preexec_fn=_demote(self._uid, self._gid),
                           cwd=self.basedir)
        if r.returncode != 0:
            raise PgError("%s failed (%d):\n%s" % (what, r.returncode,
                                                  r.stdout.decode("utf-8", "replace")))

    def init(self):
        """initdb a new cluster (superuser self.user, SCRAM password auth)."""
        os.makedirs(self.basedir, exist_ok=True)
        _make_traversable(self.basedir)
        os.chown(self.basedir, self._uid, self._gid)
        os.chmod(self.basedir, 0o700)
        pwfile = os.path.join(self.basedir, "pwfile")
        self.password = secrets.token_hex(12)
        with open(pwfile, "w") as f:
            f.write(self.password + "\n")
        os.chown(pwfile, self._uid, self._gid)
        os.chmod(pwfile, 0o600)
        with open(os.path.join(self.basedir, "password"), "w") as f:
            f.write(self.password + "\n")
        try:
            self._run([os.path.join(BINDIR, "initdb"), "-D", self.datadir, "-U", self.user,
                       "--pwfile=" + pwfile, "--auth=scram-sha-256", "--encoding=UTF8",
                       "--no-instructions", "--no-sync"], "initdb")
        finally:
            os.unlink(pwfile)

    def start(self, timeout=30.0):
        """initdb when there is no cluster yet, start the postmaster, wait
        until it accepts TCP connections on 127.0.0.1:port."""
        if self.proc is not None and self.proc.poll() is None:
            raise PgError("already running (pid %d)" % self.proc.pid)
        if not os.path.exists(os.path.join(self.datadir, "PG_VERSION")):
            self.init()
        elif self.password is None:
            with open(os.path.join(self.basedir, "password")) as f:
                self.password = f.read().strip()
        opts = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": "40",
            "shared_buffers": "16MB",
            "logging_collector": "off",
        }
        opts.update(self.settings)
        argv = [os.path.join(BINDIR, "postgres"), "-D", self.datadir]
        for k, v in opts.items():
            argv += ["-c", "%s=%s" % (k, v)]
        log = os.open(self.log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        t0 = time.monotonic()
        try:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=log, cwd=self.basedir,
                                         start_new_session=True,
                                         preexec_fn=_demote(self._uid, self._gid))
        finally:
            os.close(log)
        _live.append(self)
        bnharness._install_handlers()
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                self._forget()
                raise PgError("postgres exited with %s during start:\n%s"
                              % (self.proc.returncode, self.log_tail()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise PgError("postgres not listening on %d after %.0f s:\n%s"
                              % (self.port, timeout, self.log_tail()))
            time.sleep(0.05)
        self.start_seconds = time.monotonic() - t0
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20.0):
        """Fast shutdown (SIGINT) by PID, SIGKILL after timeout."""
        if self.proc is None:
            return None
        rc = bnharness.stop_popen(self.proc, signal.SIGINT, timeout)
        self._forget()
        return rc

    def _forget(self):
        if self in _live:
            _live.remove(self)

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "\n".join(f.read().splitlines()[-n:])
        except OSError:
            return "(no log)"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def stop_all():
    for pg in list(_live):
        try:
            pg.stop(timeout=10)
        except Exception:
            pass


# after the brokers (they hold connections to it), at exit and on signals
bnharness.add_cleanup(stop_all)
