"""Start, stop and inspect brokernetd sidecars for tests, the demo and benchmarks.

Standard library only. Every sidecar started here is stopped by PID (atexit,
and by the caller's cleanup); nothing binds beyond 127.0.0.1.
"""

import atexit
import json
import os
import signal
import subprocess
import time
import urllib.request
from xml.sax.saxutils import quoteattr

import bnharness

# Sidecars a test starts speak OpenWire to their broker (tcp://), as the shipped
# configs do; BN_BROKER_PROTO=stomp runs them on stomp:// instead, so the whole
# suite can be run over either session.
BROKER_PROTO = os.environ.get("BN_BROKER_PROTO", "openwire")


def default_broker_uri(broker):
    if BROKER_PROTO == "openwire":
        return "tcp://127.0.0.1:%d" % broker.openwire_port
    return "stomp://127.0.0.1:%d" % broker.stomp_port

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_live = []


def binary():
    """The daemon under test: the sanitizer build when BN_SAN=1; BN_BINARY
    names another build (e.g. an older one, to compare)."""
    if os.environ.get("BN_BINARY"):
        return os.environ["BN_BINARY"]
    if os.environ.get("BN_SAN") == "1":
        return os.path.join(TOP, "bin", "brokernetd-san")
    return os.path.join(TOP, "bin", "brokernetd")


def wait_for(cond, timeout=20.0, interval=0.05, what="condition"):
    """Polls cond() until it returns a true value; returns it or raises."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(interval)
    raise TimeoutError("timed out after %.1f s waiting for %s (last: %r)"
                       % (timeout, what, last))


def _filters_xml(tag, queues):
    if not queues:
        return ""
    inner = "".join('<queue physicalName=%s/>' % quoteattr(q) for q in queues)
    return "<%s>%s</%s>" % (tag, inner, tag)


def connector_xml(name, peers, **opts):
    """A <networkConnector>; peers are link ports on 127.0.0.1 (or URIs).

    opts: any attribute (networkTTL=2, duplex=True, ...) plus include=[...],
    exclude=[...], static=[...] for the destination lists, and uri= to give
    the whole URI.
    """
    include = opts.pop("include", None)
    exclude = opts.pop("exclude", None)
    static = opts.pop("static", None)
    uri = opts.pop("uri", None)
    if uri is None:
        uri = "static:(%s)?initialReconnectDelay=200&maxReconnectDelay=1000" % ",".join(
            p if isinstance(p, str) else "tcp://127.0.0.1:%d" % p for p in peers)
    attrs = " ".join("%s=%s" % (k, quoteattr(str(v).lower() if isinstance(v, bool) else str(v)))
                     for k, v in opts.items())
    return ('<networkConnector name=%s uri=%s %s>%s%s%s</networkConnector>'
            % (quoteattr(name), quoteattr(uri), attrs,
               _filters_xml("dynamicallyIncludedDestinations", include),
               _filters_xml("staticallyIncludedDestinations", static),
               _filters_xml("excludedDestinations", exclude)))


class Sidecar:
    """One brokernetd beside one broker."""

    def __init__(self, name, basedir, broker, connectors=(), link_port=None,
                 mgmt_port=None, users=None, extra_root_attrs="", broker_uri=None,
                 listener_opts="", extra_children="", listener_scheme="tcp",
                 data_directory=False, heartbeat=2000, broker_attrs=""):
        """data_directory: False (the default, as the shipped configs: no
        dataDirectory), True (a state dir under the sidecar's dir) or a path.
        heartbeat: the <broker heartBeat> in ms, or None for the default.
        broker_attrs: more attributes of <broker>, e.g. ' unfaithful="keep"'."""
        self.name = name
        self.dir = os.path.join(basedir, "sidecar-" + name)
        os.makedirs(self.dir, exist_ok=True)
        self.broker = broker
        self.link_port = link_port or bnharness.free_port()
        self.mgmt_port = mgmt_port or bnharness.free_port()
        self.connectors = list(connectors)
        self.users = users
        self.extra_root_attrs = extra_root_attrs
        self.broker_uri = broker_uri
        self.listener_opts = listener_opts
        self.extra_children = extra_children
        self.listener_scheme = listener_scheme
        self.data_directory = data_directory
        self.heartbeat = heartbeat
        self.broker_attrs = broker_attrs
        self.proc = None
        self.log_path = os.path.join(self.dir, "brokernetd.log")
        self.conf_path = os.path.join(self.dir, "brokernet.xml")
        self.write_config()

    def write_config(self):
        buri = self.broker_uri or default_broker_uri(self.broker)
        plugins = ""
        if self.users is not None:
            plugins = ("<plugins><simpleAuthenticationPlugin><users>%s</users>"
                       "</simpleAuthenticationPlugin></plugins>" % "".join(
                           "<authenticationUser username=%s password=%s/>"
                           % (quoteattr(u), quoteattr(p)) for u, p in self.users.items()))
        if self.data_directory is True:
            state = " dataDirectory=%s" % quoteattr(os.path.join(self.dir, "state"))
        elif self.data_directory:
            state = " dataDirectory=%s" % quoteattr(self.data_directory)
        else:
            state = ""
        hb = "" if self.heartbeat is None else ' heartBeat="%d"' % self.heartbeat
        xml = """<brokernet name=%s%s %s>
  <broker uri=%s%s%s/>
  <transportConnectors>
    <transportConnector name="link" uri="%s://127.0.0.1:%d%s"/>
  </transportConnectors>
  <networkConnectors>
    %s
  </networkConnectors>
  <management uri="http://127.0.0.1:%d"/>
  %s
  %s
</brokernet>
""" % (quoteattr(self.name), state, self.extra_root_attrs, quoteattr(buri), hb,
       self.broker_attrs,
       self.listener_scheme, self.link_port,
       self.listener_opts, "\n    ".join(self.connectors), self.mgmt_port, plugins,
       self.extra_children)
        with open(self.conf_path, "w") as f:
            f.write(xml)

    def start(self, wait=True, verbose=False, role="active"):
        """Starts brokernetd; with wait, returns once its broker session is up
        and (role not None) /status shows that role: an active sidecar has
        its listeners open and its connectors dialing by then."""
        args = [binary(), "-c", self.conf_path]
        if verbose or os.environ.get("BN_VERBOSE") == "1":
            args.append("-v")
        logf = open(self.log_path, "ab")
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:exitcode=99")
        self.proc = subprocess.Popen(args, stdout=logf, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=env,
                                     preexec_fn=bnharness._set_pdeathsig)
        logf.close()
        _live.append(self)
        if wait:
            wait_for(lambda: self._status_or_none() is not None, 10,
                     what="sidecar %s management endpoint" % self.name)
            wait_for(lambda: self.status()["broker"]["state"] == "connected", 20,
                     what="sidecar %s broker session" % self.name)
            if role is not None:
                # a build without roles (before standbys) has no "role"
                wait_for(lambda: self.status().get("role", role) == role, 20,
                         what="sidecar %s %s" % (self.name, role))
        return self

    def _status_or_none(self):
        if self.proc is not None and self.proc.poll() is not None:
            raise RuntimeError("sidecar %s exited with %s; log:\n%s"
                               % (self.name, self.proc.returncode, self.log_tail()))
        try:
            return self.status()
        except OSError:
            return None

    def status(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/status" % self.mgmt_port,
                                    timeout=5) as r:
            return json.loads(r.read().decode())

    def metrics(self):
        with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.mgmt_port,
                                    timeout=5) as r:
            return r.read().decode()

    def links_up(self):
        return [l for l in self.status()["links"] if l["state"] == "up"]

    def link_to(self, peer):
        for l in self.status()["links"]:
            if l["peer"] == peer and l["state"] == "up":
                return l
        return None

    def wait_link(self, peer, timeout=20):
        return wait_for(lambda: self.link_to(peer), timeout,
                        what="link %s -> %s up" % (self.name, peer))

    def subscriptions(self, queue=None):
        subs = []
        for l in self.status()["links"]:
            for s in l["subscriptions"]:
                if queue is None or s["queue"] == queue:
                    subs.append(dict(s, peer=l["peer"]))
        return subs

    def wait_subscription(self, queue, timeout=20):
        return wait_for(lambda: [s for s in self.subscriptions(queue) if s["subscribed"]],
                        timeout, what="network subscription for %s on %s" % (queue, self.name))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM and wait; returns the exit code (SIGKILL after timeout)."""
        if self.proc is None:
            return None
        rc = bnharness.stop_popen(self.proc, signal.SIGTERM, timeout)
        if self in _live:
            _live.remove(self)
        return rc

    def kill9(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self in _live:
            _live.remove(self)

    def log_text(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, n=40):
        return "\n".join(self.log_text().splitlines()[-n:])


def _cleanup():
    for s in list(_live):
        try:
            s.kill9()
        except Exception:
            pass


atexit.register(_cleanup)
