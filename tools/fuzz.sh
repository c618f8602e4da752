#!/bin/sh
# make fuzz's driver: builds every tests/fuzz/fuzz_NAME.c as a libFuzzer
# binary with ASan+UBSan into fuzz-build/, runs each for SECONDS (first
# argument, else $FUZZ_SECONDS, else 60; 0 only builds) on
# fuzz-build/corpus-NAME, and prints executions, coverage and crashes per
# harness. Exits non-zero when a harness crashed, leaked or did not build.
#
# The corpus is seeded from tests/fuzz/corpus-NAME/ when it exists and from
# tests/fuzz/gen_corpus_NAME.sh DIR when that exists; tests/fuzz/NAME.dict
# is passed as a dictionary. Crash inputs go to fuzz-build/crashes/NAME-*;
# replay one with fuzz-build/fuzz_NAME FILE.
#
#   FUZZ_ONLY="link frame"  only these harnesses
#   FUZZ_FLAGS=...           more libFuzzer flags (e.g. -jobs=2 -workers=2)
#   CLANG=clang-18           compiler (default clang)
set -u
cd "$(dirname "$0")/.." || exit 1

secs=${1:-${FUZZ_SECONDS:-60}}
case $secs in
''|*[!0-9]*) echo "usage: fuzz.sh [SECONDS]" >&2; exit 2 ;;
esac
CLANG=${CLANG:-clang}
B=fuzz-build
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all"
CFLAGS="-g -O1 -fno-omit-frame-pointer -std=c11 -D_GNU_SOURCE"
CFLAGS="$CFLAGS -Iinclude -I/usr/include/libxml2"
VERSION='-DBN_VERSION="fuzz"'
LIBS="-levent -levent_openssl -lxml2 -lavahi-client -lavahi-common"
LIBS="$LIBS -lssl -lcrypto -lm -lzstd -ljansson"

if ! command -v "$CLANG" >/dev/null 2>&1; then
	echo "fuzz: $CLANG not found (apt-get install clang)" >&2
	exit 1
fi
make --no-print-directory obj/gen/ui_html.c >/dev/null || exit 1
mkdir -p "$B/obj" "$B/crashes"

# The library once, with coverage for the fuzzer but without its main.
echo "fuzz: building the library ($CLANG, ASan+UBSan)"
objs=
for src in bridge/*.c discovery/*.c obj/gen/ui_html.c; do
	[ "$src" = bridge/main.c ] && continue
	[ -e "$src" ] || continue
	o=$B/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
	# shellcheck disable=SC2086
	if ! $CLANG $CFLAGS "$VERSION" $SAN -fsanitize=fuzzer-no-link -c \
	    -o "$o" "$src"; then
		echo "fuzz: cannot compile $src" >&2
		exit 1
	fi
	objs="$objs $o"
done

names=
for h in tests/fuzz/fuzz_*.c; do
	[ -e "$h" ] || continue
	n=$(basename "$h" .c)
	n=${n#fuzz_}
	if [ -n "${FUZZ_ONLY:-}" ]; then
		case " $FUZZ_ONLY " in
		*" $n "*) ;;
		*) continue ;;
		esac
	fi
	echo "fuzz: building fuzz_$n"
	# shellcheck disable=SC2086
	if ! $CLANG $CFLAGS "$VERSION" $SAN -fsanitize=fuzzer \
	    -o "$B/fuzz_$n" "$h" $objs $LIBS; then
		echo "fuzz: cannot build $h" >&2
		exit 1
	fi
	names="$names $n"
done
[ -n "$names" ] || { echo "fuzz: no harness selected" >&2; exit 1; }
if [ "$secs" -eq 0 ]; then
	echo "fuzz: built$(for n in $names; do printf ' %s' "$B/fuzz_$n"; done)"
	exit 0
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
rc=0
summary=
for n in $names; do
	corpus=$B/corpus-$n
	log=$B/fuzz_$n.log
	stamp=$B/.stamp-$n
	mkdir -p "$corpus"
	if [ -d "tests/fuzz/corpus-$n" ]; then
		cp -n "tests/fuzz/corpus-$n"/* "$corpus"/ 2>/dev/null
	fi
	if [ -f "tests/fuzz/gen_corpus_$n.sh" ]; then
		sh "tests/fuzz/gen_corpus_$n.sh" "$corpus" || rc=1
	fi
	dict=
	[ -f "tests/fuzz/$n.dict" ] && dict="-dict=tests/fuzz/$n.dict"
	touch "$stamp"
	echo "fuzz: running fuzz_$n for ${secs}s (corpus $corpus," \
	    "$(find "$corpus" -type f | wc -l) files)"
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$B/fuzz_$n" -max_total_time="$secs" -timeout=20 \
	    -print_final_stats=1 -artifact_prefix="$B/crashes/$n-" \
	    $dict ${FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1
	st=$?
	took=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
	    tail -n 1)
	cov=$(sed -n 's/^#[0-9].* cov: \([0-9]*\) ft: \([0-9]*\).*/\1 \2/p' \
	    "$log" | tail -n 1)
	crashes=$(find "$B/crashes" -name "$n-*" -newer "$stamp" | wc -l)
	line=$(printf '%-10s %4ss  execs %-10s cov %-6s ft %-6s crashes %s' \
	    "$n" "$took" "${execs:-?}" "${cov%% *}" "${cov#* }" "$crashes")
	if [ "$st" -ne 0 ] || [ "$crashes" -ne 0 ]; then
		rc=1
		line="$line  FAIL (exit $st; log $log)"
		echo "fuzz: fuzz_$n FAILED (exit $st); log: $log"
		grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz_[a-z]+: )|runtime error' \
		    "$log" | head -n 5
		find "$B/crashes" -name "$n-*" -newer "$stamp" |
		    sed 's/^/  input: /'
	fi
	echo "$line"
	summary="$summary
$line"
	rm -f "$stamp"
done
echo "fuzz: summary (seconds, executions, edge coverage, features, crashes):$summary"
exit $rc
