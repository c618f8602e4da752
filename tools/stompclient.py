#!/usr/bin/env python3
"""stompclient: a small, correct STOMP 1.2 client for tests (standard library only).

    from tools.stompclient import StompClient
    c = StompClient()
    connected = c.connect("127.0.0.1", port)          # CONNECTED headers, incl. 'session'
    c.send("/queue/q", b"body", {"k": "v:1"}, receipt=True)
    c.send_many("/queue/q", bodies, headers_fn=lambda i, b: {"n": str(i)}, window=100)
    c.subscribe("/queue/q", "s1", ack="client-individual",
                headers={"activemq.prefetchSize": "100"})
    f = c.receive(timeout=5)                           # Frame or None
    c.ack(f)
    c.disconnect()

Single-threaded: frames are read whenever the client waits (for a receipt, a
message, or socket write space), so a pipelined producer never deadlocks
against a broker that is pushing MESSAGE frames.  If heart-beats are
negotiated, a daemon thread sends EOLs (writes are serialised by a lock).

Frames: command, headers (dict, first occurrence wins, unescaped), header_list
(all pairs in order), body (bytes).  Header escaping per STOMP 1.2 (\\r \\n \\c
\\\\) is applied to every frame except CONNECT and CONNECTED.  Bodies are
length-delimited by content-length when present (always sent on SEND).
"""

import collections
import itertools
import select
import socket
import threading
import time

__all__ = ["StompClient", "Frame", "StompError", "StompProtocolError",
           "ConnectionClosed", "escape_header", "unescape_header", "encode_frame",
           "FrameParser", "drain", "connect"]

_ESC = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", ":": "\\c"}
_UNESC = {"\\": "\\", "n": "\n", "r": "\r", "c": ":"}
_NO_ESCAPE = ("CONNECT", "CONNECTED", "STOMP")

# Headers that a broker adds to a MESSAGE and that must not be copied to a SEND.
DELIVERY_HEADERS = ("ack", "subscription", "message-id", "receipt", "redelivered",
                    "destination", "content-length", "transaction")


class StompError(Exception):
    """An ERROR frame (or other STOMP failure); .frame is the ERROR frame if any."""

    def __init__(self, msg, frame=None):
        super().__init__(msg)
        self.frame = frame


class StompProtocolError(StompError):
    """Malformed input from the server."""


class ConnectionClosed(StompError, ConnectionError):
    """The server closed the connection."""


_ESC_TABLE = str.maketrans(_ESC)


def escape_header(s):
    return s.translate(_ESC_TABLE)


def unescape_header(s):
    if "\\" not in s:
        return s
    out = []
    i, n = 0, len(s)
    while i < n:
        ch = s[i]
        if ch == "\\":
            if i + 1 >= n or s[i + 1] not in _UNESC:
                raise StompProtocolError("invalid escape in header %r" % s)
            out.append(_UNESC[s[i + 1]])
            i += 2
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _hval(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def encode_frame(command, headers=(), body=b""):
    """Bytes of one frame.  headers: dict or list of (name, value) pairs, in order."""
    items = headers.items() if isinstance(headers, dict) else headers
    esc = command not in _NO_ESCAPE
    lines = [command]
    for k, v in items:
        k, v = _hval(k), _hval(v)
        if esc:
            k, v = escape_header(k), escape_header(v)
        elif any(c in k + v for c in "\r\n") or ":" in k:
            raise ValueError("CONNECT headers cannot hold %r:%r" % (k, v))
        lines.append("%s:%s" % (k, v))
    if isinstance(body, str):
        body = body.encode("utf-8")
    return ("\n".join(lines) + "\n\n").encode("utf-8") + (body or b"") + b"\0"


class Frame:
    __slots__ = ("command", "headers", "header_list", "body")

    def __init__(self, command, header_list, body=b""):
        self.command = command
        self.header_list = header_list
        self.headers = {}
        for k, v in header_list:
            self.headers.setdefault(k, v)   # STOMP 1.2: first occurrence wins
        self.body = body

    def get(self, name, default=None):
        return self.headers.get(name, default)

    def __getitem__(self, name):
        return self.headers[name]

    def __contains__(self, name):
        return name in self.headers

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    def user_headers(self):
        """Headers without the delivery ones (what to copy when re-sending)."""
        return {k: v for k, v in self.headers.items() if k not in DELIVERY_HEADERS}

    def __repr__(self):
        b = self.body if len(self.body) <= 60 else self.body[:60] + b"..."
        return "<Frame %s %r %r>" % (self.command, self.headers, b)


class FrameParser:
    """Incremental STOMP 1.2 frame parser: feed(bytes) -> list of Frames.
    EOLs between frames (heart-beats) are skipped."""

    def __init__(self, max_frame=256 * 1024 * 1024):
        self.buf = bytearray()
        self.max_frame = max_frame
        self.last_heartbeat = None

    def feed(self, data):
        self.buf += data
        frames = []
        while True:
            f = self._one()
            if f is None:
                break
            frames.append(f)
        return frames

    def _one(self):
        buf = self.buf
        # skip heart-beats
        i = 0
        while i < len(buf) and buf[i] in (0x0A, 0x0D):
            if buf[i] == 0x0D and (i + 1 >= len(buf)):
                break   # wait for the \n of \r\n
            i += 1
        if i:
            self.last_heartbeat = time.monotonic()
            del buf[:i]
        if not buf:
            return None
        end = buf.find(b"\n\n")
        end_crlf = buf.find(b"\r\n\r\n")
        # header section ends at the first blank line, whichever EOL style
        cands = [e for e in ((end, 2), (end_crlf, 4)) if e[0] >= 0]
        # a mix like "...\r\n\n" also ends it
        mixed = buf.find(b"\r\n\n")
        if mixed >= 0:
            cands.append((mixed, 3))
        mixed2 = buf.find(b"\n\r\n")
        if mixed2 >= 0:
            cands.append((mixed2, 3))
        if not cands:
            if len(buf) > self.max_frame:
                raise StompProtocolError("header section too large")
            return None
        hend, seplen = min(cands)
        head = bytes(buf[:hend]).decode("utf-8")
        lines = [ln[:-1] if ln.endswith("\r") else ln for ln in head.split("\n")]
        command = lines[0]
        esc = command not in _NO_ESCAPE
        header_list = []
        for ln in lines[1:]:
            if ":" not in ln:
                raise StompProtocolError("bad header line %r" % ln)
            k, v = ln.split(":", 1)
            if esc:
                k, v = unescape_header(k), unescape_header(v)
            header_list.append((k, v))
        bstart = hend + seplen
        clen = None
        for k, v in header_list:
            if k == "content-length":
                try:
                    clen = int(v)
                except ValueError:
                    raise StompProtocolError("bad content-length %r" % v)
                break
        if clen is not None:
            if clen > self.max_frame:
                raise StompProtocolError("frame too large")
            if len(buf) < bstart + clen + 1:
                return None
            if buf[bstart + clen] != 0:
                raise StompProtocolError("frame not NUL-terminated after content-length")
            body = bytes(buf[bstart:bstart + clen])
            del buf[:bstart + clen + 1]
        else:
            nul = buf.find(b"\0", bstart)
            if nul < 0:
                if len(buf) > self.max_frame:
                    raise StompProtocolError("frame too large")
                return None
            body = bytes(buf[bstart:nul])
            del buf[:nul + 1]
        return Frame(command, header_list, body)


class StompClient:
    """One STOMP 1.2 connection.  Not thread-safe (except the heart-beat sender)."""

    def __init__(self):
        self.sock = None
        self.parser = FrameParser()
        self.connected_headers = None
        self.session = None
        self.messages = collections.deque()   # MESSAGE and (unsolicited) ERROR frames
        self.errors = []                       # every ERROR frame seen
        self.pending_receipts = set()
        self._receipt_ids = itertools.count(1)
        self._wlock = threading.Lock()
        self._last_write = time.monotonic()
        self._hb_thread = None
        self._hb_stop = threading.Event()
        self._closed = False
        self.heartbeat = (0, 0)

    # -- connection
    def connect(self, host="127.0.0.1", port=61613, login=None, passcode=None,
                heartbeat=(0, 0), vhost="localhost", headers=None, timeout=10.0):
        """Open TCP, send CONNECT (STOMP 1.2), return the CONNECTED headers dict."""
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)
        h = [("accept-version", "1.2"), ("host", vhost),
             ("heart-beat", "%d,%d" % tuple(heartbeat))]
        if login is not None:
            h.append(("login", login))
        if passcode is not None:
            h.append(("passcode", passcode))
        for k, v in (headers or {}).items():
            h.append((k, v))
        self._write(encode_frame("CONNECT", h))
        f = self._next_frame(time.monotonic() + timeout, want=("CONNECTED",))
        if f is None:
            self.close()
            raise StompError("no CONNECTED within %.1f s" % timeout)
        self.connected_headers = dict(f.headers)
        self.session = f.headers.get("session")
        # negotiate heart-beats: we send every max(cx, sy), server every max(cy, sx)
        try:
            sx, sy = (int(x) for x in f.headers.get("heart-beat", "0,0").split(","))
        except ValueError:
            sx, sy = 0, 0
        cx, cy = heartbeat
        send_ms = max(cx, sy) if cx and sy else 0
        recv_ms = max(cy, sx) if cy and sx else 0
        self.heartbeat = (send_ms, recv_ms)
        if send_ms:
            self._hb_thread = threading.Thread(target=self._hb_loop, args=(send_ms / 1000.0,),
                                               daemon=True)
            self._hb_thread.start()
        return self.connected_headers

    def _hb_loop(self, period):
        while not self._hb_stop.wait(period / 2):
            if time.monotonic() - self._last_write >= period / 2:
                try:
                    self._write(b"\n", may_read=False)
                except (OSError, StompError):
                    return

    def close(self):
        """Close the socket without DISCONNECT (like a dropped connection)."""
        self._hb_stop.set()
        self._closed = True
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None

    def disconnect(self, timeout=10.0):
        """DISCONNECT with a receipt, wait for it, close."""
        if self.sock is None:
            return
        try:
            rid = self._new_receipt()
            self._write(encode_frame("DISCONNECT", [("receipt", rid)]))
            try:
                self._wait_receipts({rid}, timeout)
            except (ConnectionClosed, StompError):
                pass
        except (OSError, StompError):
            pass
        finally:
            self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            self.disconnect()
        else:
            self.close()
        return False

    # -- I/O core
    def _write(self, data, may_read=True):
        if self.sock is None:
            raise ConnectionClosed("not connected")
        view = memoryview(data)
        with self._wlock:
            while view:
                try:
                    n = self.sock.send(view)
                    view = view[n:]
                    continue
                except BlockingIOError:
                    pass
                except (BrokenPipeError, ConnectionResetError) as e:
                    raise ConnectionClosed("connection lost: %s" % e)
                # socket full: read while we wait so the server is never blocked on us
                r, w, _ = select.select([self.sock] if may_read else [], [self.sock], [], 30.0)
                if r:
                    self._read_some()
                if not r and not w:
                    raise StompError("write stalled for 30 s")
            self._last_write = time.monotonic()

    def _read_some(self):
        """Read what is available (non-blocking) and dispatch frames."""
        try:
            data = self.sock.recv(262144)
        except BlockingIOError:
            return 0
        except ConnectionResetError:
            data = b""
        if not data:
            raise ConnectionClosed("connection closed by server")
        for f in self.parser.feed(data):
            self._dispatch(f)
        return len(data)

    def _dispatch(self, f):
        if f.command == "RECEIPT":
            self.pending_receipts.discard(f.headers.get("receipt-id"))
        elif f.command == "ERROR":
            self.errors.append(f)
            self.messages.append(f)
        elif f.command == "CONNECTED":
            self._connected_frame = f
        else:
            self.messages.append(f)

    _connected_frame = None

    def _pump(self, deadline):
        """Wait until something is read or deadline passes; False on timeout."""
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.sock], [], [], left)
        if not r:
            return False
        self._read_some()
        return True

    def _next_frame(self, deadline, want):
        if want == ("CONNECTED",):
            self._connected_frame = None
            while self._connected_frame is None:
                if self.errors:
                    e = self.errors[-1]
                    raise StompError("ERROR on CONNECT: %s %s" % (e.headers.get("message"), e.text), e)
                try:
                    if not self._pump(deadline) and time.monotonic() >= deadline:
                        return None
                except ConnectionClosed:
                    if self.errors:
                        continue
                    raise
            return self._connected_frame
        raise ValueError(want)

    def _new_receipt(self):
        rid = "r-%d" % next(self._receipt_ids)
        self.pending_receipts.add(rid)
        return rid

    def _wait_receipts(self, rids, timeout):
        deadline = time.monotonic() + timeout
        nerr = len(self.errors)
        while rids & self.pending_receipts:
            if len(self.errors) > nerr:
                e = self.errors[nerr]
                try:
                    self.messages.remove(e)
                except ValueError:
                    pass
                raise StompError("ERROR while waiting for receipt: %s\n%s"
                                 % (e.headers.get("message"), e.text), e)
            if not self._pump(deadline) and time.monotonic() >= deadline:
                raise StompError("receipt(s) %s not received within %.1f s"
                                 % (sorted(rids & self.pending_receipts)[:5], timeout))

    def wait_receipts(self, timeout=30.0):
        """Wait for every outstanding receipt."""
        self._wait_receipts(set(self.pending_receipts), timeout)

    # -- commands
    def send(self, dest, body=b"", headers=None, receipt=True, content_length=True,
             timeout=30.0, wait=True):
        """SEND.  receipt=True: ask for a receipt and (if wait) wait for it.
        Returns the receipt id (or None).  content_length=False omits the
        header (ActiveMQ then makes a TextMessage instead of a BytesMessage)."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        h = [("destination", dest)]
        rid = None
        if receipt:
            rid = self._new_receipt()
            h.append(("receipt", rid))
        if content_length:
            h.append(("content-length", str(len(body))))
        for k, v in (headers or {}).items():
            if k in ("destination", "receipt", "content-length"):
                continue
            h.append((k, v))
        self._write(encode_frame("SEND", h, body))
        if rid and wait:
            self._wait_receipts({rid}, timeout)
        return rid

    def send_many(self, dest, bodies, headers_fn=None, window=100, timeout=60.0,
                  content_length=True):
        """Pipelined SENDs with receipts: keep up to `window` receipts outstanding,
        then wait for all.  headers_fn(i, body) -> dict of headers (or None).
        Returns the number of messages sent."""
        window = max(1, int(window))
        outstanding = set()
        n = 0
        nerr = len(self.errors)
        for i, body in enumerate(bodies):
            while len(outstanding) >= window:
                outstanding &= self.pending_receipts
                if len(outstanding) < window:
                    break
                self._check_errors(nerr)
                if not self._pump(time.monotonic() + timeout):
                    raise StompError("no receipt within %.1f s (window %d)" % (timeout, window))
            h = headers_fn(i, body) if headers_fn else None
            outstanding.add(self.send(dest, body, h, receipt=True, wait=False,
                                      content_length=content_length))
            n += 1
            # take what the server already sent without blocking
            if self.sock is not None:
                r, _, _ = select.select([self.sock], [], [], 0)
                if r:
                    self._read_some()
        self._check_errors(nerr)
        self._wait_receipts(outstanding, timeout)
        return n

    def _check_errors(self, nerr):
        if len(self.errors) > nerr:
            e = self.errors[nerr]
            raise StompError("ERROR: %s\n%s" % (e.headers.get("message"), e.text), e)

    def subscribe(self, dest, id, ack="client-individual", headers=None, receipt=False,
                  timeout=10.0):
        """SUBSCRIBE; extra headers e.g. {'activemq.prefetchSize': 100, 'selector': ...}."""
        h = [("destination", dest), ("id", id), ("ack", ack)]
        for k, v in (headers or {}).items():
            h.append((k, v))
        rid = None
        if receipt:
            rid = self._new_receipt()
            h.append(("receipt", rid))
        self._write(encode_frame("SUBSCRIBE", h))
        if rid:
            self._wait_receipts({rid}, timeout)
        return id

    def unsubscribe(self, id, receipt=True, timeout=10.0):
        h = [("id", id)]
        rid = None
        if receipt:
            rid = self._new_receipt()
            h.append(("receipt", rid))
        self._write(encode_frame("UNSUBSCRIBE", h))
        if rid:
            self._wait_receipts({rid}, timeout)

    def receive(self, timeout=5.0):
        """Next MESSAGE (or ERROR) frame, or None after timeout seconds."""
        deadline = time.monotonic() + (timeout or 0)
        while not self.messages:
            if self.sock is None:
                raise ConnectionClosed("not connected")
            if not self._pump(deadline) and time.monotonic() >= deadline:
                return None
        return self.messages.popleft()

    def _ack_frame(self, command, frame, transaction=None, receipt=False, timeout=10.0):
        aid = frame.headers.get("ack") if isinstance(frame, Frame) else frame
        if aid is None:
            raise StompError("%s: frame has no 'ack' header (auto-ack subscription?)" % command)
        h = [("id", aid)]
        if transaction:
            h.append(("transaction", transaction))
        rid = None
        if receipt:
            rid = self._new_receipt()
            h.append(("receipt", rid))
        self._write(encode_frame(command, h))
        if rid:
            self._wait_receipts({rid}, timeout)

    def ack(self, frame, transaction=None, receipt=False):
        """ACK a MESSAGE frame (or an ack id string)."""
        self._ack_frame("ACK", frame, transaction, receipt)

    def nack(self, frame, transaction=None, receipt=False):
        """NACK (ActiveMQ: sends the message to ActiveMQ.DLQ, it does not requeue)."""
        self._ack_frame("NACK", frame, transaction, receipt)

    def begin(self, tx):
        self._write(encode_frame("BEGIN", [("transaction", tx)]))

    def commit(self, tx, receipt=True, timeout=30.0):
        rid = self._new_receipt() if receipt else None
        self._write(encode_frame("COMMIT", [("transaction", tx)] + ([("receipt", rid)] if rid else [])))
        if rid:
            self._wait_receipts({rid}, timeout)

    def abort(self, tx):
        self._write(encode_frame("ABORT", [("transaction", tx)]))

    def drain(self, dest, timeout_idle=1.0, id=None, headers=None, max_messages=None):
        """Subscribe (client-individual), receive and ACK everything until nothing
        arrives for timeout_idle seconds; unsubscribe; return the frames."""
        sid = id or "drain-%d" % next(self._receipt_ids)
        self.subscribe(dest, sid, ack="client-individual", headers=headers)
        out, other = [], []
        try:
            while max_messages is None or len(out) < max_messages:
                f = self.receive(timeout_idle)
                if f is None:
                    break
                if f.command == "ERROR":
                    raise StompError("ERROR while draining %s: %s" % (dest, f.headers.get("message")), f)
                if f.headers.get("subscription") != sid:
                    other.append(f)   # another subscription's: left for receive()
                    continue
                self.ack(f)
                out.append(f)
        finally:
            self.messages.extendleft(reversed(other))
            if self.sock is not None:
                self.unsubscribe(sid, receipt=True)
        return out


def connect(host="127.0.0.1", port=61613, **kw):
    """New StompClient connected to host:port."""
    c = StompClient()
    c.connect(host, port, **kw)
    return c


def drain(port, dest, timeout_idle=1.0, host="127.0.0.1", **kw):
    """Connect, drain dest (consume + ACK everything), disconnect; return frames."""
    c = connect(host, port)
    try:
        return c.drain(dest, timeout_idle=timeout_idle, **kw)
    finally:
        c.disconnect()
