#!/usr/bin/env python3
"""modmap: the module map of bridge/ and discovery/ as a Markdown table.

One line per source file: what it owns (the first sentence of its header's
comment, else of the file's) and the modules it calls (by the exported
bn_* functions it uses; util, log and hmap left out). Then the call cycles
between modules, if any. README.md's "Module map" is this output:

    tools/modmap.py            # the table and the cycles
"""

import glob
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COMMON = {"util", "log", "hmap"}


def first_sentence(path):
    if not os.path.exists(path):
        return None
    m = re.search(r"/\*\s*\n?(.*?)\*/", open(path).read(), re.S)
    if not m:
        return None
    t = re.sub(r"\s+", " ", " ".join(l.strip(" *") for l in m.group(1).splitlines())).strip()
    end = t.find(". ")
    return t[:end + 1] if end > 0 else t


def main():
    os.chdir(TOP)
    files = sorted(glob.glob("bridge/*.c") + glob.glob("discovery/*.c"))
    defs = {}
    for f in files:
        mod = os.path.basename(f)[:-2]
        s = open(f).read()
        for fn in re.findall(r"^(bn_[a-z0-9_]+)\(", s, re.M):
            defs[fn] = mod
        for v in re.findall(r"^const struct \w+ (bn_[a-z0-9_]+) =", s, re.M):
            defs[v] = mod
    calls = {}
    print("| file | lines | owns | calls |")
    print("|---|---:|---|---|")
    for f in files:
        mod = os.path.basename(f)[:-2]
        s = open(f).read()
        used = [a or b for a, b in re.findall(r"\b(bn_[a-z0-9_]+)\s*\(|&(bn_[a-z0-9_]+)", s)]
        c = {defs[fn] for fn in used if fn in defs and defs[fn] != mod} - COMMON
        calls[mod] = c
        d = first_sentence("include/brokernet/%s.h" % mod) or first_sentence(f) or ""
        d = re.sub(r"^[A-Za-z-]+ \(\w+\.c\): ", "", d).replace("|", "\\|")
        print("| `%s` | %d | %s | %s |" % (f, s.count("\n"), d, ", ".join(sorted(c)) or "-"))
    # cycles: strongly connected components of more than one module
    index, low, stack, on, sccs, n = {}, {}, [], set(), [], [0]

    def strong(v):
        index[v] = low[v] = n[0]
        n[0] += 1
        stack.append(v)
        on.add(v)
        for w in calls.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))
    sys.setrecursionlimit(10000)
    for v in sorted(calls):
        if v not in index:
            strong(v)
    print()
    if sccs:
        print("Modules that call each other in a cycle: " +
              "; ".join("{%s}" % ", ".join(c) for c in sccs) + ".")
    else:
        print("No two modules call each other in a cycle.")


if __name__ == "__main__":
    main()
