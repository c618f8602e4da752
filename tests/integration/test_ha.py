"""High availability against real brokers: a sidecar in front of a
shared-KahaDB master/slave pair, link cuts, graceful stop, configuration
reload, and a masterslave: pair of peer sidecars."""

import collections
import os
import select
import signal
import socket
import threading
import time
import unittest

from netbase import NetTestCase, ack_in_tx, connector_xml, metric, receive_batch, wait_for
import bnharness  # noqa: E402 (netbase puts tools/ on the path)


class TcpProxy:
    """A TCP relay on 127.0.0.1 that a test can cut: close every relayed
    connection and refuse new ones for a while."""

    def __init__(self, target_port):
        self.target = target_port
        self.port = bnharness.free_port()
        self.conns = []
        self.lock = threading.Lock()
        self.stop_ev = threading.Event()
        self.down_until = 0.0
        # while set, what the target sends back is swallowed (the client
        # never hears, e.g., a peer's stored-acks)
        self.drop_back = False
        # while set, only the link ACK frames the target sends back are
        # swallowed (heart-beats and other frames pass: the link stays up)
        self.drop_acks = False
        self.acks_dropped = 0
        self.back_buf = {}
        self.ls = None
        self._listen()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _without_acks(self, conn, data):
        """data from the target with every complete ACK frame taken out
        (frames end at NUL; the link's ACK frames have no body); a frame
        not complete yet waits for its end."""
        buf = self.back_buf.get(conn, b"") + data
        out = b""
        while True:
            i = 0
            while i < len(buf) and buf[i:i + 1] in (b"\n", b"\r"):
                i += 1
            out += buf[:i]
            buf = buf[i:]
            end = buf.find(b"\0")
            if end == -1:
                break
            frame, buf = buf[:end + 1], buf[end + 1:]
            if frame.startswith(b"ACK\n"):
                self.acks_dropped += 1
            else:
                out += frame
        self.back_buf[conn] = buf
        return out

    def _listen(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.port))
        ls.listen(16)
        ls.setblocking(False)
        self.ls = ls

    def _run(self):
        while not self.stop_ev.is_set():
            with self.lock:
                if self.ls is None and time.monotonic() >= self.down_until:
                    self._listen()
                socks = [self.ls] if self.ls else []
                for a, b in self.conns:
                    socks += [a, b]
            r, _, _ = select.select(socks, [], [], 0.05)
            for s in r:
                with self.lock:
                    if s is self.ls:
                        try:
                            c, _ = s.accept()
                            u = socket.create_connection(("127.0.0.1", self.target))
                            self.conns.append((c, u))
                        except OSError:
                            pass
                        continue
                    pair = [p for p in self.conns if s in p]
                    if not pair:
                        continue
                    a, b = pair[0]
                    other = b if s is a else a
                    try:
                        data = s.recv(65536)
                        if data:
                            if s is b and self.drop_acks:
                                data = self._without_acks(b, data)
                            if data and not (self.drop_back and s is b):
                                other.sendall(data)
                            continue
                    except OSError:
                        pass
                    self._drop(pair[0])

    def _drop(self, pair):
        for s in pair:
            try:
                s.close()
            except OSError:
                pass
        if pair in self.conns:
            self.conns.remove(pair)

    def cut(self, seconds):
        """Drops every relayed connection and refuses new ones for seconds."""
        with self.lock:
            for p in list(self.conns):
                for s in p:
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                self._drop(p)
            if self.ls is not None:
                self.ls.close()
                self.ls = None
            self.down_until = time.monotonic() + seconds

    def close(self):
        self.stop_ev.set()
        self.thread.join(2)
        with self.lock:
            for p in list(self.conns):
                self._drop(p)
            if self.ls is not None:
                self.ls.close()


def distinct_and_dups(ns):
    c = collections.Counter(ns)
    return len(c), sum(v - 1 for v in c.values())


class HighAvailability(NetTestCase):
    BROKERS = ("B", "C")

    def take(self, cons, delivered, want, idle):
        """Receive with acks confirmed (a delivered message is one whose ack
        the broker committed; ack_in_tx)."""
        while len(delivered) < want:
            frames = receive_batch(cons, min(50, want - len(delivered)), idle)
            if not frames:
                return
            ack_in_tx(cons, frames)
            delivered.extend(int(f.headers["n"]) for f in frames)

    def test_master_slave_failover_exactly_once(self):
        pair_dir = os.path.join(self.tdir, "pair")
        master, slave = bnharness.start_shared_pair(pair_dir, name="A")
        self.addCleanup(bnharness.stop_all, [master, slave])
        uri = ("failover:(stomp://127.0.0.1:%d,stomp://127.0.0.1:%d)?randomize=false"
               "&initialReconnectDelay=100&maxReconnectDelay=1000"
               % (master.stomp_port, slave.stomp_port))
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], prefetchSize=20)],
                         broker=master, broker_uri=uri)
        a.wait_link("B")
        q = self.queue("ms")
        N = 5000
        self.produce(master, q, N, window=500)
        cons = self.consumer("B", q, prefetch=100)
        delivered = []
        # kill the master while A is still forwarding (messages in flight)
        wait_for(lambda: b.status()["counters"]["stored"] >= 1500, 60,
                 interval=0.005, what="1500 stored on B")
        master.kill9()
        t0 = time.monotonic()
        slave.wait_ready(60)
        wait_for(lambda: a.status()["broker"]["state"] == "connected", 60,
                 what="A's sidecar on the slave")
        t_sidecar = time.monotonic() - t0
        n_before = len(delivered)
        self.take(cons, delivered, n_before + 1, 30)
        t_flow = time.monotonic() - t0
        self.take(cons, delivered, N, 10)
        d, dups = distinct_and_dups(delivered)
        st_b = b.status()["counters"]
        metric("master/slave: kill -9 of the master mid-stream (%d consumed of %d): B got %d distinct, %d"
               " duplicates; sidecar on the slave %.1f s after the kill, messages flowing"
               " again after %.1f s; B suppressed %d resent copies"
               % (n_before, N, d, dups, t_sidecar, t_flow, st_b["duplicates_suppressed"]))
        self.assertEqual((d, dups), (N, 0))
        self.assertEqual(a.status()["broker"]["current"],
                         "stomp://127.0.0.1:%d" % slave.stomp_port)

    def test_link_cut_twice_exactly_once(self):
        b = self.sidecar("B")
        proxy = TcpProxy(b.link_port)
        self.addCleanup(proxy.close)
        a = self.sidecar("C", [connector_xml("to-B", [proxy.port])])
        a.wait_link("B")
        q = self.queue("cut")
        cons = self.consumer("B", q, prefetch=50)
        a.wait_subscription(q)
        N = 2000
        th = threading.Thread(target=lambda: self.produce("C", q, N, window=50, rate=250),
                              daemon=True)
        th.start()
        delivered = []
        for at in (400, 1100):
            self.take(cons, delivered, at, 10)
            proxy.cut(5.0)
            time.sleep(5.0)
        a.wait_link("B", timeout=20)
        self.take(cons, delivered, N, 10)
        th.join(30)
        d, dups = distinct_and_dups(delivered)
        metric("link cut for 5 s twice during %d persistent: %d distinct, %d duplicates;"
               " B suppressed %d resent copies" % (N, d, dups,
                                                    b.status()["counters"]["duplicates_suppressed"]))
        self.assertEqual((d, dups), (N, 0))

    def test_graceful_stop_midstream(self):
        b = self.sidecar("B")
        a = self.sidecar("C", [connector_xml("to-B", [b.link_port])])
        a.wait_link("B")
        q = self.queue("sigterm")
        cons = self.consumer("B", q, prefetch=50)
        a.wait_subscription(q)
        N = 1500
        th = threading.Thread(target=lambda: self.produce("C", q, N, window=50, rate=400),
                              daemon=True)
        th.start()
        delivered = []
        self.take(cons, delivered, 300, 10)
        t0 = time.monotonic()
        rc = a.stop(timeout=15)
        dt = time.monotonic() - t0
        self.assertEqual(rc, 0, "SIGTERM: exit 0")
        self.assertLess(dt, 10.0)
        self.assertIn("peer said goodbye", b.log_text())
        th.join(30)
        a.start()
        a.wait_link("B")
        self.take(cons, delivered, N, 10)
        d, dups = distinct_and_dups(delivered)
        metric("SIGTERM of the sending sidecar mid-stream: exit 0 in %.2f s; after restart"
               " %d distinct, %d duplicates" % (dt, d, dups))
        self.assertEqual((d, dups), (N, 0))

    def test_sighup_adds_and_removes_connectors(self):
        b = self.sidecar("B")
        c_peer = self.sidecar("C")
        a = self.sidecar("A", [connector_xml("to-C", [c_peer.link_port])],
                         broker=self.brokers["B"])
        a.wait_link("C")
        since = a.link_to("C")["since_ms"]
        a.connectors = [connector_xml("to-C", [c_peer.link_port]),
                        connector_xml("to-B", [b.link_port])]
        a.write_config()
        a.proc.send_signal(signal.SIGHUP)
        a.wait_link("B")
        self.assertEqual(a.link_to("C")["since_ms"], since, "the kept link was not dropped")
        a.connectors = [connector_xml("to-B", [b.link_port])]
        a.write_config()
        a.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: a.link_to("C") is None, 10, what="link to C closed")
        self.assertIsNotNone(a.link_to("B"))
        # a broken file keeps the running configuration
        with open(a.conf_path, "w") as f:
            f.write("<brokernet name='A'><broker")
        a.proc.send_signal(signal.SIGHUP)
        wait_for(lambda: "keeping the running configuration" in a.log_text(), 10,
                 what="bad reload refused")
        self.assertIsNotNone(a.link_to("B"))
        a.write_config()

    def test_masterslave_peers_dial_in_order(self):
        b = self.sidecar("B")
        dead = bnharness.free_port()
        uri = ("masterslave:(tcp://127.0.0.1:%d,tcp://127.0.0.1:%d)"
               "?initialReconnectDelay=200&maxReconnectDelay=1000" % (dead, b.link_port))
        a = self.sidecar("C", [connector_xml("pair", [], uri=uri)])
        a.wait_link("B")
        conn = a.status()["connectors"]
        self.assertEqual(len(conn), 1, "one dialer for the pair")
        self.assertEqual(conn[0]["target"], "127.0.0.1:%d" % b.link_port)


if __name__ == "__main__":
    unittest.main()
