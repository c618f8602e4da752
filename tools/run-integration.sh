#!/bin/sh
# Runs integration tests (Python unittest, standard library only) against
# real ActiveMQ brokers and brokernetd processes on 127.0.0.1.
#   run-integration.sh [LABEL [MODULE...]]
# LABEL names the run in tests/out/counts (default "integration"); MODULEs
# are test module names (default: every tests/integration/test_*.py).
# BN_SAN=1 makes the tests start bin/brokernetd-san (ASan+UBSan build): a
# sanitizer report makes that sidecar exit non-zero, which fails its test.
set -u
cd "$(dirname "$0")/.."
mkdir -p tests/out
label=${1:-integration}
[ $# -gt 0 ] && shift
out=tests/out/$label.log
if [ $# -gt 0 ]; then
	(cd tests/integration && python3 -u ../../tools/unittest_timed.py \
	    "$@") 2>&1 | tee "$out"
else
	python3 -u tools/unittest_timed.py discover tests/integration \
	    "${BN_TESTS:-test_*.py}" 2>&1 | tee "$out"
fi
st=$?
ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
ran=${ran:-0}
failed=$(sed -n 's/^FAILED (\(.*\))/\1/p' "$out" | tr ',' '\n' |
	sed -n 's/.*\(failures\|errors\)=\([0-9]*\).*/\2/p' | awk '{s+=$1} END {print s+0}')
skipped=$(sed -n 's/.*skipped=\([0-9]*\).*/\1/p' "$out" | tail -n 1)
skipped=${skipped:-0}
if [ "$st" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
passed=$((ran - failed - skipped))
echo "$label $passed $failed" >> tests/out/counts
echo "$label: $passed passed, $failed failed, $skipped skipped"
[ "$st" -eq 0 ]
