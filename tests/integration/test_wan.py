"""WAN links: zstd compression and the compact header form against real
brokers: a compressed link forwards exactly with bodies and headers intact,
mixed peers (with, without, and first-release peers that know neither),
TLS + compression, a compression bomb, and a link cut mid-stream on an
emulated 10 Mbit/s, 40 ms RTT link (tools/wanrelay.py) during persistent
traffic, with exactly-once counts."""

import collections
import os
import socket
import subprocess
import threading
import time

from netbase import NetTestCase, connector_xml, metric, wait_for
from test_security import make_pki, ssl_xml
from wanrelay import WanRelay

ODD = {"odd": "a:b\\c\nd", "d": "one-letter", "~x": "tilde", "custom-header": "v w"}


def read_frame(s, timeout=10):
    """One NUL-terminated frame from socket s (heart-beat EOLs skipped)."""
    s.settimeout(timeout)
    data = b""
    while b"\x00" not in data:
        chunk = s.recv(65536)
        if not chunk:
            raise EOFError("peer closed; got %r" % data[:200])
        data += chunk
    frame = data[:data.index(b"\x00")].lstrip(b"\r\n")
    return frame, data[data.index(b"\x00") + 1:]


def headers_of(frame):
    head = frame.split(b"\n\n", 1)[0].decode()
    lines = head.split("\n")
    return lines[0], dict(l.split(":", 1) for l in lines[1:])


def frame(cmd, headers, body=b""):
    h = "".join("%s:%s\n" % kv for kv in headers.items())
    return ("%s\n%scontent-length:%d\n\n" % (cmd, h, len(body))).encode() + body + b"\x00"


class Wan(NetTestCase):
    BROKERS = ("A", "B")

    def check_exact(self, got, n, headers=None):
        ns = self.ns(got)
        counts = collections.Counter(ns)
        self.assertEqual(set(counts), set(range(n)), "every message arrives")
        self.assertEqual(sum(v - 1 for v in counts.values()), 0, "none twice")
        for f in got:
            k = int(f.headers["n"])
            self.assertEqual(f.body, ("%08d" % k).encode() + b"x" * 1016)
            for h, v in (headers or {}).items():
                self.assertEqual(f.headers[h], v)
            self.assertEqual(f.headers["brokernet_origin"], "A")
            self.assertEqual(f.headers["brokernet_path"], ",A,")
            self.assertEqual(f.headers["brokernet_hops"], "1")
            self.assertTrue(f.headers["brokernet_origin_id"].startswith("ID:"))
            self.assertEqual(f.headers.get("persistent"), "true")

    def forward_exact(self, a, tag, n, window=200):
        """n messages A -> B on a fresh queue, checked; returns it and A's link."""
        q = self.queue(tag)
        cons = self.consumer("B", q, prefetch=200)
        a.wait_subscription(q)
        self.produce("A", q, n, headers=ODD, window=window)
        self.check_exact(self.collect(cons, n, idle=5), n, ODD)
        return q, a.link_to("B")

    def test_compressed_link_1000_exact(self):
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], useCompression=True)])
        la = a.wait_link("B")
        self.assertEqual(la["encoding"], "compact,zstd")
        self.assertEqual(b.wait_link("A")["encoding"], "compact,zstd")
        q, _ = self.forward_exact(a, "zexact", 1000, window=500)
        wait_for(lambda: a.status()["counters"]["forward_acked"] == 1000, 10,
                 what="all acked on A")
        la = a.link_to("B")
        ratio = la["bytes_out"] / la["bytes_out_uncompressed"]
        metric("compressed link, 1000 x 1 KiB (python bodies): %d wire bytes for %d"
               " uncompressed (%.1f %%), %.0f wire bytes per message"
               % (la["bytes_out"], la["bytes_out_uncompressed"], 100 * ratio,
                  la["bytes_out"] / 1000))
        self.assertLess(ratio, 0.25, "repetitive bodies compress as a stream")
        self.assertEqual(b.link_to("A")["bytes_in"], la["bytes_out"])
        self.assertEqual(self.drain("A", q), [])

    def test_mixed_compression_peers(self):
        """A peer that does not offer zstd still links, uncompressed (compact
        headers only); one side with, one without, in the same network."""
        b = self.sidecar("B")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], useCompression=False)])
        self.assertEqual(a.wait_link("B")["encoding"], "compact")
        self.assertEqual(b.wait_link("A")["encoding"], "compact")
        _, la = self.forward_exact(a, "mixed", 100)
        self.assertEqual(la["bytes_out"], la["bytes_out_uncompressed"])
        # B's other peer, C's sidecar on the same broker A, offers zstd
        c = self.sidecar("C", [connector_xml("to-B", [b.link_port], useCompression=True)],
                         broker=self.brokers["A"])
        self.assertEqual(c.wait_link("B")["encoding"], "compact,zstd")
        self.assertEqual(b.link_to("A")["encoding"], "compact")
        self.assertEqual(b.link_to("C")["encoding"], "compact,zstd")

    def test_first_release_peers(self):
        """Peers of link version 1 as first released (no features header): a
        sidecar accepts one and dials one, long form and uncompressed both ways."""
        b = self.sidecar("B")
        q = self.queue("v1")
        cons = self.consumer("B", q)
        s = socket.create_connection(("127.0.0.1", b.link_port))
        self.addCleanup(s.close)
        s.sendall(frame("BN_HELLO", {"broker": "OLD", "version": "1", "connector": "c"}))
        f, rest = read_frame(s)
        cmd, h = headers_of(f)
        self.assertEqual(cmd, "BN_WELCOME")
        self.assertNotIn("features", h, "nothing agreed with a peer that offered nothing")
        s.sendall(frame("MESSAGE", {"seq": "1", "destination": "/queue/" + q, "n": "0",
                                    "persistent": "true", "brokernet_origin": "OLD",
                                    "brokernet_origin_id": "ID:old-1",
                                    "brokernet_path": ",OLD,", "brokernet_hops": "1"},
                        b"01234567" + b"x" * 1016))
        got = self.collect(cons, 1, idle=5)
        self.assertEqual(len(got), 1)
        self.assertEqual(got[0].headers["brokernet_path"], ",OLD,")
        self.assertEqual(got[0].headers["brokernet_origin_id"], "ID:old-1")
        data = rest
        while b"ACK\nids:1\n" not in data:
            s.settimeout(10)
            chunk = s.recv(65536)
            self.assertTrue(chunk, "B closed instead of acking")
            data += chunk
        s.close()
        # a sidecar dialing a first-release acceptor (it sends no heart-beats:
        # the exchange below fits in the 6 s A waits for one)
        ls = socket.socket()
        ls.bind(("127.0.0.1", 0))
        ls.listen(1)
        port = ls.getsockname()[1]
        a = self.sidecar("A", [connector_xml("to-old", [port], useCompression=True)])
        ls.settimeout(15)
        conn, _ = ls.accept()
        self.addCleanup(conn.close)
        ls.close()
        f, rest = read_frame(conn)
        cmd, h = headers_of(f)
        self.assertEqual(cmd, "BN_HELLO")
        self.assertEqual(h["features"], "compact,zstd")
        conn.sendall(frame("BN_WELCOME", {"broker": "OLD", "version": "1"}))
        q2 = self.queue("v1out")
        conn.sendall(frame("DEMAND", {"destination": q2, "hops": "1",
                                      "path": ",OLD,"}))
        a.wait_subscription(q2)
        self.produce("A", q2, 3, headers=ODD)
        data, seen = rest, []
        conn.settimeout(10)
        while len(seen) < 3:
            while b"\x00" not in data:
                chunk = conn.recv(65536)
                self.assertTrue(chunk, "A closed the link")
                data += chunk
            f, data = data[:data.index(b"\x00")].lstrip(b"\r\n"), data[data.index(b"\x00") + 1:]
            cmd, h = headers_of(f)
            if cmd == "MESSAGE":
                seen.append(h)
        self.assertEqual([x["seq"] for x in seen], ["1", "2", "3"])
        for x in seen:
            self.assertEqual(x["brokernet_path"], ",A,")
            self.assertEqual(x["brokernet_hops"], "1")
            self.assertEqual(x["d"], "one-letter")
        conn.sendall(frame("ACK", {"ids": "1,2,3"}))
        wait_for(lambda: a.status()["counters"]["forward_acked"] == 3, 10,
                 what="A acks what the old peer stored")
        self.assertEqual(a.link_to("OLD")["encoding"], "none")
        conn.close()

    def test_tls_with_compression(self):
        pki = make_pki(os.path.join(self.tdir, "pki"), "wan")
        b = self.sidecar("B", start=False, extra_children=ssl_xml(pki, pki["ca"]))
        b.listener_scheme = "ssl"
        b.write_config()
        b.start()
        a = self.sidecar("A", [connector_xml("to-B", ["ssl://127.0.0.1:%d" % b.link_port],
                                             useCompression=True)],
                         extra_children=ssl_xml(None, pki["ca"]))
        self.assertEqual(a.wait_link("B")["encoding"], "compact,zstd")
        _, la = self.forward_exact(a, "tlsz", 300)
        self.assertLess(la["bytes_out"] * 3, la["bytes_out_uncompressed"],
                        "compressed before encryption (encrypted bytes do not compress)")

    def test_compression_bomb_closes_link(self):
        # 64 MiB of a frame without an end, as a few KiB of zstd (made first:
        # the link would time out while zstd runs on a busy machine)
        z = subprocess.run(["zstd", "-q", "-1", "--zstd=wlog=17", "-c"],
                           input=b"MESSAGE\nd:q\n\n" + b"a" * (64 << 20),
                           stdout=subprocess.PIPE, check=True).stdout
        self.assertLess(len(z), 1 << 20)
        b = self.sidecar("B", listener_opts="?maxFrameSize=1048576")
        s = socket.create_connection(("127.0.0.1", b.link_port))
        self.addCleanup(s.close)
        s.sendall(frame("BN_HELLO", {"broker": "EVIL", "version": "1", "connector": "c",
                                     "features": "compact,zstd"}))
        f, _ = read_frame(s)
        self.assertEqual(headers_of(f)[1].get("features"), "compact,zstd")
        try:
            s.sendall(z)
        except (BrokenPipeError, ConnectionResetError):
            pass
        # the frame parser's limit or the decompressor's bound, whichever
        # the stream's chunking reaches first
        wait_for(lambda: "EVIL" in b.log_text() and (
            "frame too large" in b.log_text() or "compression bomb" in b.log_text()),
            10, what="B closes the link with a logged reason")
        s.close()
        with open("/proc/%d/status" % b.proc.pid) as f:
            rss = int([l for l in f if l.startswith("VmHWM:")][0].split()[1])
        metric("compression bomb (%d bytes -> 64 MiB): link closed, B's peak RSS %d kB"
               % (len(z), rss))
        self.assertLess(rss, 64 * 1024, "decompression stops at maxFrameSize")
        a = self.sidecar("A", [connector_xml("to-B", [b.link_port], useCompression=True)])
        a.wait_link("B")

    def test_wan_link_cut_midstream_exactly_once(self):
        b = self.sidecar("B")
        relay = WanRelay(b.link_port, rate_bps=10e6, rtt_ms=40).start()
        self.addCleanup(relay.stop)
        a = self.sidecar("A", [connector_xml("to-B", [relay.port], useCompression=True)])
        self.assertEqual(a.wait_link("B")["encoding"], "compact,zstd")
        q = self.queue("wancut")
        cons = self.consumer("B", q, prefetch=200)
        a.wait_subscription(q)
        n = 3000
        prod = threading.Thread(target=self.produce, args=("A", q, n),
                                kwargs={"rate": 600, "window": 100})
        prod.start()
        got = self.collect(cons, 600, idle=10)
        relay.cut()
        t_cut = time.monotonic()
        time.sleep(1.5)
        relay.restore()
        got += self.collect(cons, 1400 - len(got), idle=10)
        relay.cut()
        time.sleep(0.5)
        relay.restore()
        prod.join(60)
        self.assertFalse(prod.is_alive())
        got += self.collect(cons, n - len(got), idle=10, limit=120)
        counts = collections.Counter(self.ns(got))
        dups = sum(v - 1 for v in counts.values())
        st = relay.stats()
        metric("WAN cut x2 (10 Mbit/s, 40 ms, zstd) during %d persistent: %d distinct,"
               " %d duplicates, %d relay connections, %.1f s to the end after the first cut"
               % (n, len(counts), dups, st["conns"], time.monotonic() - t_cut))
        self.assertGreaterEqual(st["conns"], 3, "the link was re-dialed after each cut")
        self.assertEqual(len(counts), n, "0 lost")
        self.assertEqual(dups, 0, "0 duplicated")
        self.check_exact(got, n)
        self.assertIn("down", a.log_text())
        self.assertEqual(self.drain("A", q), [])
