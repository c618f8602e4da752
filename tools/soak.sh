#!/bin/sh
# make soak: the fault storms repeated (one run of each is in make check).
#   SOAK_RUNS (default 5): sidecar and broker kill storms, each run anew;
#   STANDBY_RUNS (default 10): standby takeovers after kill -9 of the active;
#   PACED_RUNS (default 3): the consumer-paced splits (test_paced.Paced);
#   TOPIC_RUNS (default 3): the topic faults (test_topic_faults);
#   broker_durable_ack once: the ActiveMQ fact test_topic_faults relies on
#   (a durable topic ACK survives a broker kill -9 only in a transaction);
#   and test_multihop once with the ASan+UBSan daemon (make check runs
#   test_forward and test_security under ASan, test_multihop plain).
# Every figure goes to tests/out/metrics.log; ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
runs=${SOAK_RUNS:-5}
mkdir -p tests/out
log=tests/out/soak.log
: > "$log"
pass=0
fail=0
i=0
while [ "$i" -lt "$runs" ]; do
	i=$((i + 1))
	for t in test_exactly_once.ExactlyOnceDefaults.test_sidecar_kill_storm_defaults \
	    test_exactly_once.ExactlyOnceDefaults.test_broker_kill_storm_defaults; do
		if (cd tests/integration && python3 -u -m unittest "$t") >> "$log" 2>&1
		then pass=$((pass + 1)); echo "soak run $i: $t ok"
		else fail=$((fail + 1)); echo "soak run $i: $t FAILED"; fi
	done
done
if (cd tests/integration && BN_STANDBY_RUNS=${STANDBY_RUNS:-10} python3 -u -m unittest \
    test_standby.Standby.test_kill9_active_standby_takes_over) >> "$log" 2>&1
then pass=$((pass + 1)); echo "standby takeovers: ok"
else fail=$((fail + 1)); echo "standby takeovers: FAILED"; fi
i=0
while [ "$i" -lt "${PACED_RUNS:-3}" ]; do
	i=$((i + 1))
	if (cd tests/integration && python3 -u -m unittest test_paced.Paced) >> "$log" 2>&1
	then pass=$((pass + 1)); echo "paced run $i: ok"
	else fail=$((fail + 1)); echo "paced run $i: FAILED"; fi
done
i=0
while [ "$i" -lt "${TOPIC_RUNS:-3}" ]; do
	i=$((i + 1))
	if (cd tests/integration && python3 -u -m unittest test_topic_faults) >> "$log" 2>&1
	then pass=$((pass + 1)); echo "topic faults run $i: ok"
	else fail=$((fail + 1)); echo "topic faults run $i: FAILED"; fi
done
if (cd tests/integration && python3 -u -m unittest broker_durable_ack) >> "$log" 2>&1
then pass=$((pass + 1)); echo "durable topic ACKs across broker kills: ok"
else fail=$((fail + 1)); echo "durable topic ACKs across broker kills: FAILED"; fi
make --no-print-directory bin/brokernetd-san >/dev/null
if (cd tests/integration && BN_SAN=1 ASAN_OPTIONS=detect_leaks=1:exitcode=99 \
    python3 -u -m unittest test_multihop) >> "$log" 2>&1
then pass=$((pass + 1)); echo "test_multihop under ASan: ok"
else fail=$((fail + 1)); echo "test_multihop under ASan: FAILED"; fi
grep 'metric:' "$log" | sed 's/^ *metric: /  /'
echo "soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
