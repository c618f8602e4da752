#!/usr/bin/env python3
"""bnharness: start and stop independent ActiveMQ Classic brokers on 127.0.0.1.

Python module (for the integration tests and benchmarks) and command-line tool
(for shell scripts).  Python 3 standard library only.

Each broker lives in its own directory (``basedir``) with its own activemq.xml,
log4j 1.2 properties, KahaDB, tmp dir and ``lib/`` (XStream, Jettison, XPP3
linked in so that advisories can be read over STOMP with
``transformation:jms-advisory-json``).  The JVM is a child process in its own
session / process group; its PID is written to ``basedir/broker.pid`` and the
ports to ``basedir/broker.json``.

Module use::

    from tools import bnharness as h          # or sys.path insert + import
    a = h.Broker("A", "/tmp/x/A")
    b = h.Broker("B", "/tmp/x/B")
    h.start_all(a, b)                          # parallel JVM start, waits for STOMP
    ... a.stomp_port, a.openwire_port ...
    a.stop(); b.kill9(); b.restart()

Every broker started from Python is registered and stopped (by PID, only the
ones this process started) at interpreter exit and on SIGTERM/SIGINT.

Command line::

    python3 tools/bnharness.py start DIR NAME... [--native A:B]...
    python3 tools/bnharness.py stop DIR
    python3 tools/bnharness.py status DIR

Environment: BN_JAVA (java binary), BN_JVM_OPTS (replaces the default heap/GC
options), BN_ACTIVEMQ_HOME (default
/usr/share/activemq; an upstream tarball's home works too), BN_JAVA_OPTS (extra
JVM options appended), BN_JAVA_LIBDIR (where xstream.jar etc. are, default
/usr/share/java).
"""

import atexit
import json
import os
import signal
import subprocess
import sys
import threading
import time

__all__ = [
    "Broker", "BrokerError", "start_all", "stop_all", "start_shared_pair",
    "native_network_xml", "native_network_connector_xml", "free_port",
    "stomp_ping", "stop_dir", "java_command", "start_jdbc_pair", "add_cleanup",
]

from bnproc import (  # noqa: F401 (re-exported)
    BrokerError, DEFAULT_STOP_TIMEOUT, free_port, stomp_ping, stop_popen, stop_dir,
    _port_is_free, _reserve_port, _pid_alive, _cmdline, _is_our_java, _rss_kb,
    _prctl, _set_pdeathsig, _tail, _read_pid, _broker_dirs)
from bnbrokerxml import (  # noqa: F401 (re-exported)
    ACTIVEMQ_HOME, JAVA_LIBDIR, OPTIONAL_JARS, STATISTICS_XML, JDBC_JARS, JVM_OPTS,
    ADD_OPENS, native_network_connector_xml, native_network_xml, java_command,
    _ACTIVEMQ_XML, _LOG4J, _jdbc_xml, _xml_escape, _xml_attr)

DEFAULT_START_TIMEOUT = 60.0

_registry_lock = threading.RLock()
_registry = []          # Brokers started by this process (stopped at exit)
_handlers_installed = False
_prev_handlers = {}


# ---------------------------------------------------------------- Broker

class Broker:
    """One ActiveMQ broker process in basedir, listening on 127.0.0.1 only.

    Broker(name, basedir, stomp_port=None, openwire_port=None, extra_xml="",
           kahadb_dir=None, hb_grace_multiplier=None, stomp_options=None,
           wait_on_start=True, lock_interval_ms=1000, kahadb_attrs=None,
           jdbc=None, link_jars=True, advisory_support=True)

    Ports default to free ones.  extra_xml is inserted inside <broker> (for
    instance native_network_xml(...)).  kahadb_dir shares one KahaDB between
    brokers (shared file system master/slave; lock_interval_ms is how often a
    slave retries the lock).  kahadb_attrs: extra <kahaDB> attributes, e.g.
    {"journalDiskSyncStrategy": "periodic"} for throughput benchmarks (not
    crash-safe; the default syncs the journal on every persistent send).
    jdbc: a dict (url, user, password, lease_holder, keep_alive_ms,
    acquire_ms) replaces KahaDB with a jdbcPersistenceAdapter and a
    lease-database-locker (see start_jdbc_pair).
    hb_grace_multiplier sets the STOMP connector's
    transport.hbGracePeriodMultiplier (None = broker default); stomp_options
    (dict or "k=v&...") adds further STOMP transport options.
    link_jars=False leaves XStream/Jettison/XPP3 out of lib/ (a broker that
    cannot turn advisories into JSON, as Debian's package is out of the
    box); advisory_support=False sets advisorySupport="false".
    statistics=True adds the statistics plugin (what consumer-paced forwarding
    needs); None (the default) takes it from BN_BROKER_STATISTICS=1, else off.
    ssl={"keystore": PKCS12 file, "password": ...} adds OpenWire and STOMP
    connectors over TLS (ssl://127.0.0.1:ssl_port, stomp+ssl://127.0.0.1:
    stomp_ssl_port) with that key store; with "truststore" (a JKS file, same
    password) also an OpenWire connector that requires a client certificate
    signed by what it holds (ssl://127.0.0.1:ssl_auth_port, needClientAuth).
    """

    def __init__(self, name, basedir, stomp_port=None, openwire_port=None, extra_xml="",
                 kahadb_dir=None, hb_grace_multiplier=None, stomp_options=None,
                 wait_on_start=True, lock_interval_ms=1000, kahadb_attrs=None,
                 jdbc=None, link_jars=True, advisory_support=True, statistics=None,
                 ssl=None):
        self.name = name
        self.ssl = dict(ssl) if ssl else None
        self.ssl_port = free_port() if ssl else None
        self.stomp_ssl_port = free_port() if ssl else None
        self.ssl_auth_port = free_port() if ssl and ssl.get("truststore") else None
        if ssl:
            _reserve_port(self.ssl_port)
            _reserve_port(self.stomp_ssl_port)
        if self.ssl_auth_port:
            _reserve_port(self.ssl_auth_port)
        if statistics is None:
            statistics = os.environ.get("BN_BROKER_STATISTICS") == "1"
        self.statistics = statistics
        self.jdbc = dict(jdbc) if jdbc else None
        self.basedir = os.path.abspath(basedir)
        self._auto_ports = stomp_port is None and openwire_port is None
        self.stomp_port = stomp_port or free_port()
        self.openwire_port = openwire_port or free_port()
        _reserve_port(self.stomp_port)
        _reserve_port(self.openwire_port)
        self.extra_xml = extra_xml or ""
        self.kahadb_dir = os.path.abspath(kahadb_dir) if kahadb_dir else None
        self.hb_grace_multiplier = hb_grace_multiplier
        self.stomp_options = stomp_options
        self.wait_on_start = wait_on_start
        self.lock_interval_ms = lock_interval_ms
        self.kahadb_attrs = dict(kahadb_attrs or {})
        self.link_jars = link_jars
        self.advisory_support = advisory_support
        self._ever_ready = False
        self._log_offset = 0
        self.proc = None            # subprocess.Popen when we are the parent
        self.pid = None
        self.detached = False
        self.start_seconds = None   # last start(): launch -> STOMP CONNECTED
        self.stop_seconds = None    # last stop(): SIGTERM -> exit

    # -- paths and URIs
    @property
    def conf_dir(self):
        return os.path.join(self.basedir, "conf")

    @property
    def data_dir(self):
        return os.path.join(self.basedir, "data")

    @property
    def log_path(self):
        return os.path.join(self.basedir, "activemq.log")

    @property
    def out_path(self):
        return os.path.join(self.basedir, "java.out")

    @property
    def pid_path(self):
        return os.path.join(self.basedir, "broker.pid")

    @property
    def stomp_uri(self):
        return "stomp://127.0.0.1:%d" % self.stomp_port

    @property
    def openwire_uri(self):
        return "tcp://127.0.0.1:%d" % self.openwire_port

    def __repr__(self):
        return "<Broker %s stomp=%d openwire=%d pid=%s>" % (
            self.name, self.stomp_port, self.openwire_port, self.pid)

    # -- configuration
    def _stomp_connector_uri(self):
        opts = []
        if self.hb_grace_multiplier is not None:
            opts.append("transport.hbGracePeriodMultiplier=%s" % self.hb_grace_multiplier)
        if self.stomp_options:
            if isinstance(self.stomp_options, dict):
                opts += ["%s=%s" % kv for kv in self.stomp_options.items()]
            else:
                opts.append(str(self.stomp_options))
        uri = "stomp://127.0.0.1:%d" % self.stomp_port
        return uri + ("?" + "&".join(opts) if opts else "")

    def write_config(self):
        """(Re)write conf/activemq.xml, conf/log4j.properties and lib/ links."""
        for d in (self.conf_dir, self.data_dir, os.path.join(self.basedir, "tmp"),
                  os.path.join(self.basedir, "lib")):
            os.makedirs(d, exist_ok=True)
        beans = ""
        if self.jdbc is not None:
            persistence, beans = _jdbc_xml(self.jdbc, self.data_dir)
            jars = OPTIONAL_JARS + JDBC_JARS
        else:
            persistence = self._kahadb_xml()
            jars = OPTIONAL_JARS
        xml = _ACTIVEMQ_XML.format(
            name=_xml_attr(self.name), datadir=_xml_attr(self.data_dir),
            persistence=persistence, beans=beans,
            stomp_uri=_xml_attr(self._stomp_connector_uri()),
            openwire_uri=_xml_attr(self.openwire_uri),
            extra=(STATISTICS_XML if self.statistics else "") + self.extra_xml,
            ssl_connector=("" if not self.ssl else
                           '\n      <transportConnector name="ssl" uri=%s/>'
                           '\n      <transportConnector name="stomp+ssl" uri=%s/>'
                           % (_xml_attr("ssl://127.0.0.1:%d" % self.ssl_port),
                              _xml_attr("stomp+ssl://127.0.0.1:%d" % self.stomp_ssl_port))
                           + ("" if not self.ssl_auth_port else
                              '\n      <transportConnector name="ssl-auth" uri=%s/>'
                              % _xml_attr("ssl://127.0.0.1:%d?needClientAuth=true"
                                          % self.ssl_auth_port))),
            ssl_context=("" if not self.ssl else
                         "\n    <sslContext><sslContext keyStore=%s keyStorePassword=%s"
                         ' keyStoreType="pkcs12"%s/></sslContext>'
                         % (_xml_attr(self.ssl["keystore"]), _xml_attr(self.ssl["password"]),
                            "" if not self.ssl_auth_port else
                            " trustStore=%s trustStorePassword=%s"
                            % (_xml_attr(self.ssl["truststore"]),
                               _xml_attr(self.ssl["password"])))),
            advisory=_xml_attr("true" if self.advisory_support else "false"))
        with open(os.path.join(self.conf_dir, "activemq.xml"), "w") as f:
            f.write(xml)
        with open(os.path.join(self.conf_dir, "log4j.properties"), "w") as f:
            f.write(_LOG4J.format(logfile=self.log_path))
        for jar in jars:
            src = os.path.join(JAVA_LIBDIR, jar)
            dst = os.path.join(self.basedir, "lib", jar)
            if not self.link_jars:
                if os.path.islink(dst):
                    os.unlink(dst)
            elif os.path.exists(src) and not os.path.lexists(dst):
                os.symlink(src, dst)
        self._write_info()

    def _kahadb_xml(self):
        kahadir = self.kahadb_dir or os.path.join(self.data_dir, "kahadb")
        os.makedirs(kahadir, exist_ok=True)
        if self.kahadb_dir:
            attrs = ' lockKeepAlivePeriod="%d"' % max(1000, self.lock_interval_ms)
            locker = ('<locker><shared-file-locker lockAcquireSleepInterval="%d"/></locker>'
                      % self.lock_interval_ms)
        else:
            attrs, locker = "", ""
        for k, v in self.kahadb_attrs.items():
            v = ("true" if v else "false") if isinstance(v, bool) else str(v)
            attrs += " %s=%s" % (k, _xml_attr(v))
        return "<kahaDB directory=%s%s>%s</kahaDB>" % (_xml_attr(kahadir), attrs, locker)

    def _write_info(self):
        info = {"name": self.name, "basedir": self.basedir, "stomp_port": self.stomp_port,
                "openwire_port": self.openwire_port, "pid": self.pid,
                "kahadb_dir": self.kahadb_dir}
        with open(os.path.join(self.basedir, "broker.json"), "w") as f:
            json.dump(info, f)

    # -- lifecycle
    def launch(self, detach=False):
        """Start the JVM without waiting.  detach: not registered for cleanup
        and not killed with this process (CLI use)."""
        if self.is_running():
            raise BrokerError("%s: already running (pid %d)" % (self.name, self.pid))
        other = _read_pid(self.pid_path)
        if other and _pid_alive(other) and _is_our_java(other, self.basedir):
            raise BrokerError("%s: a broker (pid %d) already runs in %s"
                              % (self.name, other, self.basedir))
        self.write_config()
        try:
            self._log_offset = os.path.getsize(self.log_path)
        except OSError:
            self._log_offset = 0
        argv = java_command(self.basedir)
        out = open(self.out_path, "ab")
        try:
            out.write(("---- %s %s\n" % (time.strftime("%Y-%m-%d %H:%M:%S"),
                                          " ".join(argv))).encode())
            out.flush()
            self.proc = subprocess.Popen(
                argv, cwd=self.basedir, stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, close_fds=True,
                # PDEATHSIG follows the forking *thread*: only from the main one.
                preexec_fn=_set_pdeathsig if (not detach and _prctl is not None and
                                              threading.current_thread() is threading.main_thread())
                else None)
        finally:
            out.close()
        self.pid = self.proc.pid
        self.detached = detach
        self._launched_at = time.monotonic()
        with open(self.pid_path, "w") as f:
            f.write("%d\n" % self.pid)
        self._write_info()
        if not detach:
            _register(self)
        return self.pid

    def start(self, timeout=DEFAULT_START_TIMEOUT, wait=None, detach=False):
        """Launch and (unless wait is False, or wait_on_start was False) wait
        until STOMP answers CONNECT.  Raises BrokerError with the log tail."""
        if wait is None:
            wait = self.wait_on_start
        self.launch(detach=detach)
        if wait:
            self._await_start(timeout)
        return self

    def _await_start(self, timeout):
        """wait_ready(); if a first start lost an auto-picked port to another
        process ("Address already in use"), pick new ports and relaunch (twice)."""
        for attempt in range(3):
            try:
                return self.wait_ready(timeout)
            except BrokerError:
                if (self._auto_ports and not self._ever_ready and attempt < 2
                        and "Address already in use" in self.log_since_launch()
                        and not self.is_running()):
                    self.stomp_port, self.openwire_port = free_port(), free_port()
                    if self.ssl:
                        self.ssl_port = free_port()
                        self.stomp_ssl_port = free_port()
                        if self.ssl_auth_port:
                            self.ssl_auth_port = free_port()
                    self.launch(detach=self.detached)
                    continue
                raise

    def wait_ready(self, timeout=DEFAULT_START_TIMEOUT):
        """Wait (bounded) until the STOMP port answers CONNECT with CONNECTED."""
        t0 = getattr(self, "_launched_at", time.monotonic())
        deadline = time.monotonic() + timeout
        while True:
            if not self.is_running():
                self._reap()
                raise BrokerError("%s: broker process %s exited during start\n%s" % (
                    self.name, self.pid, self.diagnostics()))
            if stomp_ping(self.stomp_port, timeout=2.0):
                self.start_seconds = time.monotonic() - t0
                self._ever_ready = True
                return self
            if time.monotonic() >= deadline:
                msg = "%s: STOMP port %d not ready after %.0f s\n%s" % (
                    self.name, self.stomp_port, timeout, self.diagnostics())
                self.stop()
                raise BrokerError(msg)
            time.sleep(0.05)

    def log_since_launch(self):
        """activemq.log text written since the last launch()."""
        try:
            with open(self.log_path, "rb") as f:
                f.seek(getattr(self, "_log_offset", 0))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def diagnostics(self):
        """Errors and the tail of activemq.log / java.out since the last launch."""
        text = self.log_since_launch()
        errs = [ln for ln in text.splitlines()
                if "| ERROR" in ln or "| WARN" in ln or ln.startswith("Caused by:")]
        return "--- %s: errors/warnings\n%s\n--- %s (tail)\n%s\n--- %s (tail)\n%s" % (
            self.log_path, "\n".join(errs[-8:]) or "(none)",
            self.log_path, "\n".join(text.splitlines()[-25:]),
            self.out_path, _tail(self.out_path, 10))

    def _reap(self, timeout=0):
        if self.proc is not None:
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                return False
            return True
        return not _pid_alive(self.pid) if self.pid else True

    def is_running(self):
        if self.pid is None:
            return False
        if self.proc is not None:
            return self.proc.poll() is None
        return _pid_alive(self.pid) and _is_our_java(self.pid, self.basedir)

    def _signal(self, sig):
        if self.pid is None or not self.is_running():
            return False
        try:
            os.kill(self.pid, sig)
            return True
        except ProcessLookupError:
            return False

    def _wait_exit(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None:
                if self._reap(timeout=min(0.1, max(0.0, deadline - time.monotonic()))):
                    return True
            elif not _pid_alive(self.pid):
                return True
            else:
                time.sleep(0.05)
        return not self.is_running()

    def stop(self, timeout=DEFAULT_STOP_TIMEOUT):
        """SIGTERM (clean broker shutdown), wait up to timeout, then SIGKILL."""
        t0 = time.monotonic()
        if self._signal(signal.SIGTERM):
            if not self._wait_exit(timeout):
                self._signal(signal.SIGKILL)
                self._wait_exit(10)
            self.stop_seconds = time.monotonic() - t0
        self._forget()
        return self

    def kill9(self):
        """SIGKILL the broker (crash); KahaDB recovers on the next start."""
        if self._signal(signal.SIGKILL):
            self._wait_exit(10)
        self._forget()
        return self

    def restart(self, timeout=DEFAULT_START_TIMEOUT, wait=None):
        """Stop (cleanly) and start again on the same data and ports."""
        self.stop()
        return self.start(timeout=timeout, wait=wait, detach=self.detached)

    def _forget(self):
        if self.proc is not None and self.proc.poll() is None:
            return  # still running (SIGKILL failed?): keep it registered
        try:
            if self.pid and os.path.exists(self.pid_path):
                with open(self.pid_path) as f:
                    if f.read().strip() == str(self.pid):
                        os.unlink(self.pid_path)
        except OSError:
            pass
        _unregister(self)

    def rss_kb(self):
        """Resident set size of the broker JVM in KiB (None when not running)."""
        return _rss_kb(self.pid) if self.is_running() else None

    def log_text(self):
        try:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # context manager: with Broker(...) as b:
    def __enter__(self):
        if not self.is_running():
            self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False


def start_all(*brokers, timeout=DEFAULT_START_TIMEOUT):
    """Launch every broker at once, then wait for each (faster than one by one).
    Brokers created with wait_on_start=False are launched but not waited for.
    On failure every broker of the call is stopped and BrokerError raised."""
    if len(brokers) == 1 and isinstance(brokers[0], (list, tuple)):
        brokers = tuple(brokers[0])
    try:
        for b in brokers:
            b.launch()
        for b in brokers:
            if b.wait_on_start:
                b._await_start(timeout)
    except BaseException:
        stop_all(brokers)
        raise
    return list(brokers)


def stop_all(brokers=None, timeout=DEFAULT_STOP_TIMEOUT):
    """Stop the given brokers (default: every one this process started) in
    parallel: SIGTERM to all, wait, SIGKILL what is left."""
    if brokers is None:
        with _registry_lock:
            brokers = list(_registry)
    brokers = [b for b in brokers if b.is_running()]
    t0 = time.monotonic()
    for b in brokers:
        b._signal(signal.SIGTERM)
    for b in brokers:
        left = max(0.1, timeout - (time.monotonic() - t0))
        if not b._wait_exit(left):
            b._signal(signal.SIGKILL)
            b._wait_exit(10)
        b.stop_seconds = time.monotonic() - t0
        b._forget()


def start_shared_pair(basedir, name="shared", timeout=DEFAULT_START_TIMEOUT,
                      extra_xml="", lock_interval_ms=1000):
    """Shared file system master/slave: two brokers on one KahaDB directory
    (basedir/kahadb), in basedir/master and basedir/slave, same brokerName.
    The master is started and waited for; the slave is launched and blocks on
    the KahaDB lock with its ports closed: call slave.wait_ready(timeout)
    after the master goes.  Returns (master, slave)."""
    basedir = os.path.abspath(basedir)
    kahadb = os.path.join(basedir, "kahadb")
    master = Broker(name, os.path.join(basedir, "master"), extra_xml=extra_xml,
                    kahadb_dir=kahadb, lock_interval_ms=lock_interval_ms)
    slave = Broker(name, os.path.join(basedir, "slave"), extra_xml=extra_xml,
                   kahadb_dir=kahadb, wait_on_start=False,
                   lock_interval_ms=lock_interval_ms)
    master.start(timeout=timeout)
    try:
        slave.start(wait=False)
    except BaseException:
        master.stop()
        raise
    return master, slave


def start_jdbc_pair(basedir, name="jdbc", timeout=DEFAULT_START_TIMEOUT, extra_xml="",
                    keep_alive_ms=500, acquire_ms=1000, pg_settings=None):
    """JDBC master/slave: a private PostgreSQL (bnpg.PgCluster in
    basedir/pg) and two brokers on it (basedir/master, basedir/slave, same
    brokerName, lease holders "master" and "slave") with a
    lease-database-locker: the lease lasts acquire_ms, the master renews it
    every keep_alive_ms, a slave retries every acquire_ms.  The master is
    started and waited for (it creates the tables); the slave is launched and
    polls the lease with its ports closed: call slave.wait_ready() after the
    master goes.  pg_settings: postgresql.conf settings (dict), e.g.
    {"synchronous_commit": "off"}.  Returns (master, slave, pg); stop_all()
    and the exit cleanup stop the brokers, then the database."""
    import bnpg
    basedir = os.path.abspath(basedir)
    pg = bnpg.PgCluster(os.path.join(basedir, "pg"), settings=pg_settings)
    pg.start()
    brokers = []
    try:
        for role in ("master", "slave"):
            jdbc = {"url": pg.jdbc_url, "user": pg.user, "password": pg.password,
                    "lease_holder": role, "keep_alive_ms": keep_alive_ms,
                    "acquire_ms": acquire_ms}
            b = Broker(name, os.path.join(basedir, role), extra_xml=extra_xml, jdbc=jdbc,
                       wait_on_start=(role == "master"))
            brokers.append(b)
            b.start(timeout=timeout)
    except BaseException:
        stop_all(brokers)
        pg.stop()
        raise
    return brokers[0], brokers[1], pg


# ---------------------------------------------------------------- cleanup registry

def _register(b):
    with _registry_lock:
        if b not in _registry:
            _registry.append(b)
    _install_handlers()


def _unregister(b):
    with _registry_lock:
        if b in _registry:
            _registry.remove(b)


_after_brokers = []     # cleanups of what brokers use (a database)


def add_cleanup(fn):
    """fn() runs at exit and on SIGTERM/SIGINT, after the brokers stopped."""
    with _registry_lock:
        if fn not in _after_brokers:
            _after_brokers.append(fn)


def _cleanup():
    try:
        stop_all(timeout=10)
    except Exception:
        pass
    for fn in list(_after_brokers):
        try:
            fn()
        except Exception:
            pass


def _on_signal(signum, frame):
    _cleanup()
    prev = _prev_handlers.get(signum, signal.SIG_DFL)
    if callable(prev):
        prev(signum, frame)
    elif prev == signal.SIG_IGN:
        return
    else:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _install_handlers():
    global _handlers_installed
    with _registry_lock:
        if _handlers_installed:
            return
        _handlers_installed = True
    atexit.register(_cleanup)
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGINT):
        try:
            prev = signal.getsignal(sig)
            if prev == signal.SIG_IGN or prev is None:
                continue    # ignored (e.g. SIGINT of a background job): keep it so
            _prev_handlers[sig] = prev
            signal.signal(sig, _on_signal)
        except (ValueError, OSError):
            pass


def _cli(argv):
    import argparse
    p = argparse.ArgumentParser(prog="bnharness.py",
                                description="Start/stop independent ActiveMQ brokers on 127.0.0.1.")
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("start", help="start brokers DIR/NAME and leave them running")
    ps.add_argument("dir")
    ps.add_argument("names", nargs="+", metavar="NAME")
    ps.add_argument("--native", action="append", default=[], metavar="A:B",
                    help="give broker A a native networkConnector to broker B (repeatable)")
    ps.add_argument("--duplex", action="store_true", help="native connectors are duplex")
    ps.add_argument("--ttl", type=int, default=1, help="native networkTTL (default 1)")
    ps.add_argument("--timeout", type=float, default=DEFAULT_START_TIMEOUT)
    pt = sub.add_parser("stop", help="stop every broker recorded under DIR")
    pt.add_argument("dir")
    pt.add_argument("--timeout", type=float, default=DEFAULT_STOP_TIMEOUT)
    pq = sub.add_parser("status", help="list brokers recorded under DIR")
    pq.add_argument("dir")
    pc = sub.add_parser("command", help="print the java command line for a basedir")
    pc.add_argument("basedir")
    a = p.parse_args(argv)

    if a.cmd == "command":
        print(" ".join(java_command(a.basedir)))
        return 0
    if a.cmd == "stop":
        stop_dir(a.dir, timeout=a.timeout, log=print)
        return 0
    if a.cmd == "status":
        for d in _broker_dirs(a.dir):
            try:
                with open(os.path.join(d, "broker.json")) as f:
                    info = json.load(f)
            except (OSError, ValueError):
                info = {}
            pid = _read_pid(os.path.join(d, "broker.pid"))
            up = pid is not None and _pid_alive(pid) and _is_our_java(pid, d)
            print("%s stomp=%s openwire=%s pid=%s %s" % (
                info.get("name", os.path.basename(d)), info.get("stomp_port"),
                info.get("openwire_port"), pid if up else "-",
                "running" if up else "stopped"))
        return 0

    # start
    if len(set(a.names)) != len(a.names):
        p.error("duplicate broker names")
    root = os.path.abspath(a.dir)
    os.makedirs(root, exist_ok=True)
    brokers = {n: Broker(n, os.path.join(root, n)) for n in a.names}
    links = {}
    for spec in a.native:
        src, _, dst = spec.partition(":")
        if src not in brokers or dst not in brokers:
            p.error("--native %s: both names must be among the brokers started" % spec)
        links.setdefault(src, []).append(dst)
    for src, dsts in links.items():
        brokers[src].extra_xml = "<networkConnectors>\n      %s\n    </networkConnectors>" % (
            "\n      ".join(native_network_connector_xml(
                "%s-to-%s" % (src, d), brokers[d], duplex=a.duplex, ttl=a.ttl,
                uri_options="initialReconnectDelay=500&maxReconnectDelay=2000")
                for d in dsts))
    started = []
    try:
        for b in brokers.values():
            b.launch(detach=True)
            started.append(b)
        for b in started:
            b._await_start(a.timeout)
    except BaseException as e:
        for b in started:
            b.stop()
        print("bnharness: %s" % e, file=sys.stderr)
        return 1
    for b in brokers.values():
        print("%s stomp=%d openwire=%d pid=%d" % (b.name, b.stomp_port, b.openwire_port, b.pid))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
