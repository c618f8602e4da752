"""bnbenchlib: what bench-network.py needs besides its set-ups: CPU seconds
and memory of a PID from /proc, the machine and build a run was on, and
running bin/bnbench (several at once) and reading its key=value output and
latency histogram.  Python 3 standard library only.
"""

import hashlib
import os
import subprocess
import time

import bnharness

TOOLS = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(TOOLS)
BNBENCH = os.path.join(TOP, "bin", "bnbench")
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Latency histogram buckets (bnbench's lat_hist): upper bounds in ms.
HIST_EDGES = ("0.5", "1", "2", "5", "10", "20", "50", "100", "200", "500")


# ------------------------------------------------------------ /proc helpers

def proc_cpu_s(pid):
    """utime + stime of pid in seconds (None if gone)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        fields = st[st.rindex(")") + 2:].split()
        # fields[0] is state (field 3); utime is field 14, stime 15
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, ValueError, IndexError):
        return None


def proc_mem_kb(pid):
    """(VmRSS, VmHWM) in KiB (None, None if gone)."""
    rss = hwm = None
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1])
    except OSError:
        pass
    return rss, hwm


# ------------------------------------------------------------ machine info

def git_commit():
    try:
        rev = subprocess.run(["git", "-C", TOP, "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", TOP, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return rev + (" (working tree modified)" if dirty else "") if rev else "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def file_sha(path):
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()[:12]
    except OSError:
        return "missing"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def other_java():
    """How many java processes run now (other brokers, tests: they compete for the CPUs)."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                arg0 = f.read().split(b"\0", 1)[0]
        except OSError:
            continue
        if os.path.basename(arg0).startswith(b"java"):
            n += 1
    return n


def activemq_version():
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "activemq"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        if out:
            return out
    except (OSError, subprocess.SubprocessError):
        pass
    try:
        for n in sorted(os.listdir(os.path.join(bnharness.ACTIVEMQ_HOME, "lib"))):
            if n.startswith("activemq-broker-") and n.endswith(".jar"):
                return n[len("activemq-broker-"):-4]
    except OSError:
        pass
    return "?"


# ------------------------------------------------------------ bnbench runs

_children = []      # bnbench processes running now (killed on abort)


def run_bnbench_many(runs, timeout_s):
    """Runs bin/bnbench once per (args, outfile) in runs, all at the same time; returns
    a list of (rc, dict of key=value, stderr text) in the same order."""
    procs = []
    try:
        for args, outfile in runs:
            argv = [BNBENCH] + args + ["--timeout-s", str(int(timeout_s))]
            with open(outfile, "w") as f:
                f.write(" ".join(argv) + "\n")
            procs.append(subprocess.Popen(
                argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                stdin=subprocess.DEVNULL, text=True, start_new_session=True,
                preexec_fn=bnharness._set_pdeathsig))
            _children.append(procs[-1])
        deadline = time.monotonic() + timeout_s + 30
        out = []
        for proc, (_, outfile) in zip(procs, runs):
            try:
                o, e = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                o, e = proc.communicate()
                e = (e or "") + "\n(bench-network: bnbench killed after %d s)" % (timeout_s + 30)
            with open(outfile, "a") as f:
                f.write(o or "")
                f.write("---- stderr\n" + (e or ""))
            kv = {}
            for line in (o or "").splitlines():
                k, sep, v = line.partition("=")
                if sep:
                    kv[k.strip()] = v.strip()
            out.append((proc.returncode, kv, e or ""))
        return out
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            _children.remove(proc)


def run_bnbench(args, timeout_s, outfile):
    """Runs bin/bnbench with args; returns (rc, dict of key=value, stderr text)."""
    return run_bnbench_many([(args, outfile)], timeout_s)[0]


def merge_summaries(kvs):
    """One summary for bnbench runs that ran side by side on their own queues: counts
    and msg/s add up; latency percentiles are the worst of the runs."""
    if len(kvs) == 1:
        return kvs[0]
    kv = {}
    for k in ("count", "sent", "confirmed", "send_errors", "received", "distinct",
              "duplicates", "missing", "corrupt", "other_runs", "msgs_per_s"):
        vals = [kv_num(x, k) for x in kvs]
        if all(v is not None for v in vals):
            kv[k] = "%g" % sum(vals)
    for k in ("lat_p50_ms", "lat_p90_ms", "lat_p99_ms", "lat_max_ms"):
        vals = [kv_num(x, k) for x in kvs]
        if all(v is not None for v in vals):
            kv[k] = "%g" % max(vals)
    kv["timed_out"] = "1" if any(x.get("timed_out") == "1" for x in kvs) else "0"
    return kv


def parse_hist(text):
    """bnbench's "le0.5:N,...,gt500:N" as a list of counts (empty if absent)."""
    out = []
    for part in text.split(","):
        if ":" in part:
            try:
                out.append(int(part.split(":", 1)[1]))
            except ValueError:
                return []
    return out if len(out) == len(HIST_EDGES) + 1 else []


def kv_num(kv, k, default=None):
    try:
        return float(kv[k])
    except (KeyError, ValueError):
        return default
