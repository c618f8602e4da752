#!/bin/sh
# Runs cmocka unit test binaries; appends "LABEL passed failed" to
# tests/out/counts and exits non-zero if any test failed or a binary crashed.
set -u
label=$1; shift
mkdir -p tests/out
pass=0; fail=0; rc=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in "$@"; do
	out=tests/out/$(basename "$t").$label.log
	"$t" >"$out" 2>&1
	st=$?
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$out" | tail -n 1)
	p=${p:-0}; f=${f:-0}
	if [ "$st" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1	# crashed or sanitizer report without a cmocka failure
	fi
	pass=$((pass + p)); fail=$((fail + f))
	if [ "$st" -ne 0 ] || [ "$f" -ne 0 ]; then
		rc=1
		echo "FAIL $label $(basename "$t") (exit $st); log: $out"
		tail -n 30 "$out"
	else
		echo "ok   $label $(basename "$t"): $p tests"
	fi
done
echo "$label $pass $fail" >> tests/out/counts
echo "unit ($label): $pass passed, $fail failed"
exit $rc
