#!/usr/bin/env python3
"""Runs Python unittest like `python3 -m unittest -v` and prints each test's
seconds at the end, slowest first, so make check's time budget can be kept
(Python 3.11's unittest has no --durations).

    unittest_timed.py discover DIR PATTERN    every test_*.py under DIR
    unittest_timed.py MODULE...               named modules (cwd on sys.path)

Exit status as unittest's: 0 when every test passed.
"""

import os
import sys
import time
import unittest


class TimedResult(unittest.TextTestResult):
    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.times = []
        self._t0 = None

    def startTest(self, test):
        if self._t0 is None:
            self._t0 = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        # time since the previous test ended: class and module set-up and
        # tear-down count towards the test after them
        super().stopTest(test)
        now = time.monotonic()
        self.times.append((now - self._t0, test.id()))
        self._t0 = now


def main(argv):
    if len(argv) >= 1 and argv[0] == "discover":
        start = argv[1] if len(argv) > 1 else "."
        pattern = argv[2] if len(argv) > 2 else "test_*.py"
        sys.path.insert(0, os.path.abspath(start))
        suite = unittest.defaultTestLoader.discover(start, pattern=pattern)
    else:
        sys.path.insert(0, os.getcwd())
        suite = unittest.defaultTestLoader.loadTestsFromNames(argv)
    runner = unittest.TextTestRunner(verbosity=2, resultclass=TimedResult)
    t0 = time.monotonic()
    result = runner.run(suite)
    total = time.monotonic() - t0
    mods = {}
    for secs, tid in result.times:
        mod = tid.split(".")[0]
        mods[mod] = mods.get(mod, 0.0) + secs
    sys.stderr.write("\nseconds per module (set-up and tear-down included):\n")
    for mod, secs in sorted(mods.items(), key=lambda x: -x[1]):
        sys.stderr.write("  %7.1f  %s\n" % (secs, mod))
    sys.stderr.write("slowest tests:\n")
    for secs, tid in sorted(result.times, reverse=True)[:25]:
        sys.stderr.write("  %7.1f  %s\n" % (secs, tid))
    sys.stderr.write("total %.1f s\n" % total)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
