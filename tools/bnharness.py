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
import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_attr

__all__ = [
    "Broker", "BrokerError", "start_all", "stop_all", "start_shared_pair",
    "native_network_xml", "native_network_connector_xml", "free_port",
    "stomp_ping", "stop_dir", "java_command", "start_jdbc_pair", "add_cleanup",
]

ACTIVEMQ_HOME = os.environ.get("BN_ACTIVEMQ_HOME", "/usr/share/activemq")
JAVA_LIBDIR = os.environ.get("BN_JAVA_LIBDIR", "/usr/share/java")
OPTIONAL_JARS = ("xstream.jar", "jettison.jar", "xpp3.jar")
# The broker setting consumer-paced forwarding needs (README).
STATISTICS_XML = "<plugins><statisticsBrokerPlugin/></plugins>"
# jdbcPersistenceAdapter on PostgreSQL through a dbcp2 pool (commons-logging
# comes with the broker as jcl-over-slf4j)
JDBC_JARS = ("postgresql.jar", "commons-dbcp2.jar", "commons-pool2.jar")

# JVM options.  The heap bounds follow shared/NOTES.md; SerialGC and a small
# metaspace/code cache keep an idle broker's RSS low on a 2-core machine.
JVM_OPTS = os.environ.get("BN_JVM_OPTS", "").split() or [
    "-Xms64m", "-Xmx512m",
    "-XX:+UseSerialGC",
    "-XX:TieredStopAtLevel=1",
    "-Xss512k",
    "-Djava.awt.headless=true",
]

# Java 17 strong encapsulation: what XStream (advisory -> JSON) and ActiveMQ
# need opened.  Mirrors upstream 5.17's bin/env; harmless when unused.
ADD_OPENS = [
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
    "--add-opens=java.base/java.text=ALL-UNNAMED",
    "--add-opens=java.base/java.net=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/java.security=ALL-UNNAMED",
]

DEFAULT_START_TIMEOUT = 60.0
DEFAULT_STOP_TIMEOUT = 20.0


class BrokerError(RuntimeError):
    """A broker failed to start, stop or answer; the message carries its log tail."""


# ---------------------------------------------------------------- ports

_port_lock = threading.Lock()
_ports_in_use = set()


def _port_is_free(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def free_port():
    """A TCP port free on 127.0.0.1 now and not handed out before by this process."""
    with _port_lock:
        for _ in range(200):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                s.bind(("127.0.0.1", 0))
                port = s.getsockname()[1]
            finally:
                s.close()
            if port in _ports_in_use or not _port_is_free(port):
                continue
            _ports_in_use.add(port)
            return port
    raise BrokerError("no free port found")


def _reserve_port(port):
    with _port_lock:
        _ports_in_use.add(port)


# ---------------------------------------------------------------- STOMP probe

def stomp_ping(port, host="127.0.0.1", timeout=2.0):
    """True when host:port answers a STOMP 1.2 CONNECT with CONNECTED."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as s:
            s.settimeout(timeout)
            s.sendall(b"CONNECT\naccept-version:1.2\nhost:localhost\n\n\0")
            buf = b""
            deadline = time.monotonic() + timeout
            while b"\0" not in buf and time.monotonic() < deadline:
                chunk = s.recv(4096)
                if not chunk:
                    break
                buf += chunk
            ok = buf.lstrip(b"\r\n").startswith(b"CONNECTED")
            if ok:
                try:
                    s.sendall(b"DISCONNECT\n\n\0")
                except OSError:
                    pass
            return ok
    except OSError:
        return False


# ---------------------------------------------------------------- processes

def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is as good as gone.
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except (OSError, ValueError, IndexError):
        return False


def _cmdline(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return []


def _is_our_java(pid, basedir):
    """PID is a java process started for this basedir (guards against PID reuse)."""
    args = _cmdline(pid)
    if not args or not os.path.basename(args[0]).startswith("java"):
        return False
    return ("-Dactivemq.base=" + os.path.abspath(basedir)) in args


def _rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


try:
    import ctypes
    _prctl = ctypes.CDLL(None, use_errno=True).prctl   # resolved before any fork
except Exception:   # not Linux / no ctypes
    _prctl = None


def _set_pdeathsig():
    # Child side of fork: get SIGTERM (clean KahaDB close) when the parent dies,
    # so a SIGKILLed test run leaves no broker behind.
    try:
        _prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def stop_popen(proc, sig=signal.SIGTERM, timeout=10.0):
    """Signal a child (subprocess.Popen) and wait; SIGKILL after timeout.
    Returns its exit status."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def _tail(path, lines=40):
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 16384))
            data = f.read().decode("utf-8", "replace")
        return "\n".join(data.splitlines()[-lines:])
    except OSError:
        return "(no %s)" % path


# ---------------------------------------------------------------- config text

def native_network_connector_xml(name, uris, duplex=False, ttl=1, prefetch=1000,
                                 decrease_priority=True, uri_options=None, **attrs):
    """One <networkConnector/> element (ActiveMQ's native bridge).

    uris: a Broker, an int (OpenWire port on 127.0.0.1), a "tcp://..." string,
    or a list of those.  uri_options: dict or "k=v&..." appended to static:(...).
    Extra keyword attributes are written as XML attributes (e.g.
    conduitSubscriptions="true", dynamicOnly="false")."""
    if isinstance(uris, (Broker, int, str)):
        uris = [uris]
    parts = []
    for u in uris:
        if isinstance(u, Broker):
            parts.append(u.openwire_uri)
        elif isinstance(u, int):
            parts.append("tcp://127.0.0.1:%d" % u)
        else:
            parts.append(str(u))
    uri = "static:(%s)" % ",".join(parts)
    if uri_options:
        if isinstance(uri_options, dict):
            uri_options = "&".join("%s=%s" % kv for kv in uri_options.items())
        uri += "?" + uri_options
    a = {
        "name": name,
        "uri": uri,
        "duplex": "true" if duplex else "false",
        "networkTTL": str(ttl),
        "prefetchSize": str(prefetch),
        "decreaseNetworkConsumerPriority": "true" if decrease_priority else "false",
    }
    for k, v in attrs.items():
        a[k] = ("true" if v else "false") if isinstance(v, bool) else str(v)
    return "<networkConnector %s/>" % " ".join("%s=%s" % (k, _xml_attr(v)) for k, v in a.items())


def native_network_xml(name, uris, duplex=False, ttl=1, prefetch=1000,
                       decrease_priority=True, **kw):
    """A <networkConnectors> block with one connector, for Broker(extra_xml=...)."""
    return ("<networkConnectors>\n      %s\n    </networkConnectors>"
            % native_network_connector_xml(name, uris, duplex=duplex, ttl=ttl,
                                           prefetch=prefetch,
                                           decrease_priority=decrease_priority, **kw))


_ACTIVEMQ_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- Written by tools/bnharness.py -->
<beans xmlns="http://www.springframework.org/schema/beans"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
       xsi:schemaLocation="http://www.springframework.org/schema/beans http://www.springframework.org/schema/beans/spring-beans.xsd
       http://activemq.apache.org/schema/core http://activemq.apache.org/schema/core/activemq-core.xsd">
  {beans}
  <broker xmlns="http://activemq.apache.org/schema/core"
          brokerName={name}
          dataDirectory={datadir}
          persistent="true"
          useJmx="false"
          schedulerSupport="false"
          advisorySupport={advisory}
          useShutdownHook="true">
    <persistenceAdapter>
      {persistence}
    </persistenceAdapter>
    <systemUsage>
      <systemUsage>
        <storeUsage><storeUsage limit="4 gb"/></storeUsage>
        <tempUsage><tempUsage limit="1 gb"/></tempUsage>
      </systemUsage>
    </systemUsage>
    <transportConnectors>
      <transportConnector name="stomp" uri={stomp_uri}/>
      <transportConnector name="openwire" uri={openwire_uri}/>{ssl_connector}
    </transportConnectors>{ssl_context}
    {extra}
  </broker>
</beans>
"""

_LOG4J = """# log4j 1.2 configuration written by tools/bnharness.py
log4j.rootLogger=INFO, logfile
log4j.logger.org.apache.activemq.spring=WARN
log4j.logger.org.apache.activemq.web.handler=WARN
log4j.logger.org.springframework=WARN
log4j.logger.org.apache.xbean=WARN
log4j.appender.logfile=org.apache.log4j.FileAppender
log4j.appender.logfile.File={logfile}
log4j.appender.logfile.Append=true
log4j.appender.logfile.layout=org.apache.log4j.PatternLayout
log4j.appender.logfile.layout.ConversionPattern=%d{{ISO8601}} | %-5p | %m | %c | %t%n
"""


def java_command(basedir, conf_xml=None, log4j=None):
    """The argv used to run a broker for basedir (for reports and reproducing)."""
    basedir = os.path.abspath(basedir)
    conf_xml = conf_xml or os.path.join(basedir, "conf", "activemq.xml")
    log4j = log4j or os.path.join(basedir, "conf", "log4j.properties")
    java = os.environ.get("BN_JAVA") or shutil.which("java") or "/usr/lib/jvm/default-java/bin/java"
    argv = [java] + JVM_OPTS + ADD_OPENS + os.environ.get("BN_JAVA_OPTS", "").split()
    argv += [
        "-Dactivemq.home=" + ACTIVEMQ_HOME,
        "-Dactivemq.base=" + basedir,
        "-Dactivemq.conf=" + os.path.join(basedir, "conf"),
        "-Dactivemq.data=" + os.path.join(basedir, "data"),
        "-Djava.io.tmpdir=" + os.path.join(basedir, "tmp"),
        "-Dlog4j.configuration=file:" + log4j,
        "-jar", os.path.join(ACTIVEMQ_HOME, "bin", "activemq.jar"),
        "start", "xbean:file:" + conf_xml,
    ]
    return argv


def _jdbc_xml(j, datadir):
    """(persistenceAdapter child, beans) for a JDBC store with a lease locker.
    The lease is lockAcquireSleepInterval long and renewed every
    lockKeepAlivePeriod (ActiveMQ warns when the renewal is not shorter)."""
    bean = """<bean id="bn-ds" class="org.apache.commons.dbcp2.BasicDataSource" destroy-method="close">
    <property name="driverClassName" value="org.postgresql.Driver"/>
    <property name="url" value=%s/>
    <property name="username" value=%s/>
    <property name="password" value=%s/>
    <property name="maxTotal" value="8"/>
    <property name="defaultQueryTimeout" value="5"/>
  </bean>""" % (_xml_attr(j["url"]), _xml_attr(j["user"]), _xml_attr(j["password"]))
    adapter = ("<jdbcPersistenceAdapter dataDirectory=%s dataSource=\"#bn-ds\""
               " lockKeepAlivePeriod=\"%d\" createTablesOnStartup=\"true\">"
               "<locker><lease-database-locker lockAcquireSleepInterval=\"%d\""
               " leaseHolderId=%s/></locker></jdbcPersistenceAdapter>"
               % (_xml_attr(datadir), j.get("keep_alive_ms", 500), j.get("acquire_ms", 1000),
                  _xml_attr(j["lease_holder"])))
    return adapter, bean


# ---------------------------------------------------------------- Broker

_registry_lock = threading.RLock()
_registry = []          # Brokers started by this process (stopped at exit)
_handlers_installed = False
_prev_handlers = {}


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
    stomp_ssl_port) with that key store.
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
        if ssl:
            _reserve_port(self.ssl_port)
            _reserve_port(self.stomp_ssl_port)
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
                              _xml_attr("stomp+ssl://127.0.0.1:%d" % self.stomp_ssl_port))),
            ssl_context=("" if not self.ssl else
                         "\n    <sslContext><sslContext keyStore=%s keyStorePassword=%s"
                         ' keyStoreType="pkcs12"/></sslContext>'
                         % (_xml_attr(self.ssl["keystore"]), _xml_attr(self.ssl["password"]))),
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


# ---------------------------------------------------------------- directory ops (CLI)

def _read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


def _broker_dirs(root):
    root = os.path.abspath(root)
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        if "broker.pid" in filenames or "broker.json" in filenames:
            out.append(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in ("data", "lib", "tmp", "conf", "kahadb"))
    return sorted(out)


def stop_dir(root, timeout=DEFAULT_STOP_TIMEOUT, log=None):
    """Stop every broker recorded (broker.pid) under root, checking first that
    the PID is a java process with that basedir on its command line.
    Returns a list of (basedir, pid, outcome)."""
    results = []
    victims = []
    for d in _broker_dirs(root):
        pidfile = os.path.join(d, "broker.pid")
        pid = _read_pid(pidfile)
        if pid is None:
            continue
        if not _pid_alive(pid):
            results.append((d, pid, "not running"))
            os.unlink(pidfile)
        elif not _is_our_java(pid, d):
            results.append((d, pid, "pid belongs to another process: left alone"))
            os.unlink(pidfile)
        else:
            os.kill(pid, signal.SIGTERM)
            victims.append((d, pid, pidfile))
    t0 = time.monotonic()
    for d, pid, pidfile in victims:
        while _pid_alive(pid) and time.monotonic() - t0 < timeout:
            time.sleep(0.05)
        outcome = "stopped"
        if _pid_alive(pid) and _is_our_java(pid, d):
            os.kill(pid, signal.SIGKILL)
            t1 = time.monotonic()
            while _pid_alive(pid) and time.monotonic() - t1 < 10:
                time.sleep(0.05)
            outcome = "killed"
        results.append((d, pid, "%s in %.1f s" % (outcome, time.monotonic() - t0)))
        try:
            os.unlink(pidfile)
        except OSError:
            pass
    if log:
        for d, pid, outcome in results:
            log("%s pid=%d %s" % (os.path.relpath(d, os.path.abspath(root)), pid, outcome))
    return results


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
