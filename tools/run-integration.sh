#!/bin/sh
# Runs the integration tests (Python unittest, standard library only) against
# real ActiveMQ brokers and brokernetd processes on 127.0.0.1.
# BN_TESTS=pattern restricts to matching test files (default test_*.py).
set -u
cd "$(dirname "$0")/.."
mkdir -p tests/out
out=tests/out/integration.log
pat=${BN_TESTS:-test_*.py}
python3 -u -m unittest discover -s tests/integration -p "$pat" -v 2>&1 | tee "$out"
st=$?
ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
ran=${ran:-0}
failed=$(sed -n 's/^FAILED (\(.*\))/\1/p' "$out" | tr ',' '\n' |
	sed -n 's/.*\(failures\|errors\)=\([0-9]*\).*/\2/p' | awk '{s+=$1} END {print s+0}')
skipped=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$out" | tail -n 1)
skipped=${skipped:-0}
if [ "$st" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
passed=$((ran - failed - skipped))
echo "integration $passed $failed" >> tests/out/counts
echo "integration: $passed passed, $failed failed, $skipped skipped"
[ "$st" -eq 0 ]
