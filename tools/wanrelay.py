#!/usr/bin/env python3
"""wanrelay: a user-space WAN emulator for one TCP hop, bound to 127.0.0.1.

Each accepted connection is relayed to 127.0.0.1:TARGET. Per direction, the
relay is a bottleneck link: a chunk read from one side is serialised at
RATE bits/s (a token bucket: the link is busy len*8/RATE seconds per chunk,
chunks at most 16 KiB), then delivered after the one-way delay (RTT/2), in
order.  At most QUEUE bytes wait per direction (default: the bandwidth-delay
product + 64 KiB, like a router buffer); beyond that the relay stops reading,
so TCP's own flow control pushes back on the sender.  This kernel's tc has
tbf but not netem (no delay), hence user space.

Bytes are counted per direction (a->b: from the dialing side to TARGET).
cut() closes every relayed connection and refuses new ones until restore():
a link cut mid-stream.

As a library (the WAN benchmark and the WAN fault test use it in-process):
    r = WanRelay(target_port, rate_bps=10e6, rtt_ms=40); r.start()
    r.port; r.stats(); r.cut(); r.restore(); r.stop()
As a program (runs until SIGINT/SIGTERM, prints the byte counts at exit):
    tools/wanrelay.py --target PORT [--port PORT] [--rate-mbit 10] [--rtt-ms 40]
"""

import argparse
import asyncio
import collections
import signal
import socket
import sys
import threading
import time

CHUNK = 16384
HOST = "127.0.0.1"


class _Pipe:
    """One direction of one connection: read, pace, delay, write."""

    def __init__(self, relay, reader, writer, direction):
        self.relay, self.reader, self.writer = relay, reader, writer
        self.dir = direction
        self.q = collections.deque()
        self.queued = 0
        self.more = asyncio.Event()
        self.room = asyncio.Event()
        self.room.set()
        self.eof = False

    async def read_loop(self):
        r = self.relay
        try:
            while True:
                await self.room.wait()
                data = await self.reader.read(CHUNK)
                if not data:
                    break
                now = time.monotonic()
                link = r.link_free[self.dir]
                start = max(now, link)
                done = start + len(data) * 8.0 / r.rate_bps
                r.link_free[self.dir] = done
                self.q.append((done + r.delay_s, data))
                self.queued += len(data)
                if self.queued >= r.queue_bytes:
                    self.room.clear()
                self.more.set()
        except (ConnectionError, OSError):
            pass
        self.eof = True
        self.more.set()

    async def write_loop(self):
        r = self.relay
        try:
            while True:
                while not self.q:
                    if self.eof:
                        self.writer.close()
                        return
                    self.more.clear()
                    await self.more.wait()
                due, data = self.q[0]
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                self.q.popleft()
                self.queued -= len(data)
                if self.queued < r.queue_bytes:
                    self.room.set()
                self.writer.write(data)
                r.bytes[self.dir] += len(data)
                await self.writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            self.writer.close()


class WanRelay:
    def __init__(self, target_port, rate_bps=10e6, rtt_ms=40.0, port=0,
                 queue_bytes=None):
        self.target_port = target_port
        self.rate_bps = float(rate_bps)
        self.delay_s = rtt_ms / 2000.0
        bdp = int(self.rate_bps / 8 * rtt_ms / 1000.0)
        self.queue_bytes = queue_bytes or bdp + 65536
        self.want_port = port
        self.port = None
        self.bytes = {"a2b": 0, "b2a": 0}
        self.link_free = {"a2b": 0.0, "b2a": 0.0}
        self.conns = 0
        self.cuts = 0
        self._cut = False
        self._tasks = set()
        self._writers = set()
        self._loop = None
        self._thread = None
        self._server = None
        self._ready = threading.Event()
        self._err = None

    # -- lifecycle (thread-safe from the caller's side)
    def start(self):
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="wanrelay")
        self._thread.start()
        self._ready.wait(10)
        if self._err:
            raise self._err
        return self

    def stop(self):
        if self._loop is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        try:
            fut.result(10)
        except Exception:
            pass
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop = None

    def stats(self):
        return dict(self.bytes, conns=self.conns, cuts=self.cuts)

    def cut(self):
        """Closes every relayed connection (RST) and refuses new ones."""
        fut = asyncio.run_coroutine_threadsafe(self._do_cut(), self._loop)
        fut.result(10)

    def restore(self):
        self._cut = False

    # -- inside the loop
    def _run(self):
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        try:
            self._server = self._loop.run_until_complete(asyncio.start_server(
                self._accept, HOST, self.want_port, reuse_address=True))
            self.port = self._server.sockets[0].getsockname()[1]
        except Exception as e:
            self._err = e
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.close()

    async def _shutdown(self):
        self._server.close()
        await self._do_cut()

    async def _do_cut(self):
        self._cut = True
        self.cuts += 1
        for w in list(self._writers):
            sock = w.get_extra_info("socket")
            try:
                # RST, like a failed middlebox, not a polite FIN
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            w.transport.abort()
        self._writers.clear()
        for t in list(self._tasks):
            t.cancel()
        # the links of the two directions are idle again
        self.link_free = {"a2b": 0.0, "b2a": 0.0}

    async def _accept(self, creader, cwriter):
        if self._cut:
            cwriter.transport.abort()
            return
        try:
            treader, twriter = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            cwriter.transport.abort()
            return
        for w in (cwriter, twriter):
            w.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP,
                                                  socket.TCP_NODELAY, 1)
            self._writers.add(w)
        self.conns += 1
        a2b = _Pipe(self, creader, twriter, "a2b")
        b2a = _Pipe(self, treader, cwriter, "b2a")
        for coro in (a2b.read_loop(), a2b.write_loop(), b2a.read_loop(),
                     b2a.write_loop()):
            t = asyncio.ensure_future(coro)
            self._tasks.add(t)
            t.add_done_callback(self._tasks.discard)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", type=int, required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--rate-mbit", type=float, default=10.0)
    ap.add_argument("--rtt-ms", type=float, default=40.0)
    o = ap.parse_args()
    r = WanRelay(o.target, o.rate_mbit * 1e6, o.rtt_ms, o.port).start()
    print("wanrelay: 127.0.0.1:%d -> 127.0.0.1:%d, %.1f Mbit/s, RTT %.0f ms"
          % (r.port, o.target, o.rate_mbit, o.rtt_ms), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGINT, lambda *a: done.set())
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    done.wait()
    r.stop()
    print("wanrelay: %r" % r.stats())
    return 0


if __name__ == "__main__":
    sys.exit(main())
