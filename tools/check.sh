#!/bin/sh
# make check's driver: unit tests, the same under ASan+UBSan, then the
# integration tests against real brokers. Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
mkdir -p tests/out
rm -f tests/out/counts
start=$(date +%s)
rc=0
sh tools/run-unit.sh plain bin/tests/test_* || rc=1
sh tools/run-unit.sh asan bin/tests-san/test_* || rc=1
sh tools/run-integration.sh || rc=1
# The core suites again with the ASan+UBSan daemon: any report fails
# (test_multihop under ASan is in make soak, to keep make check in budget).
BN_SAN=1 ASAN_OPTIONS=detect_leaks=1:exitcode=99 \
    sh tools/run-integration.sh integration-asan test_forward \
    test_security || rc=1
# The suites run over OpenWire broker sessions (the shipped configs'
# tcp://); forwarding again over stomp://, which stays supported.
BN_BROKER_PROTO=stomp sh tools/run-integration.sh integration-stomp \
    test_forward || rc=1
pass=$(awk '{s += $2} END {print s + 0}' tests/out/counts)
fail=$(awk '{s += $3} END {print s + 0}' tests/out/counts)
echo "make check took $(( $(date +%s) - start )) s"
echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] || rc=1
exit $rc
