"""bnproc: the processes and ports of the test harness (tools/bnharness.py):
free ports on 127.0.0.1, a STOMP probe, whether a PID is alive and is our
java, PR_SET_PDEATHSIG for children, stopping a child or every broker
recorded under a directory.  Python 3 standard library only; bnharness
re-exports every name, so callers keep using bnharness.X.
"""

import os
import signal
import socket
import subprocess
import threading
import time

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
