#!/bin/sh
# Seeds fuzz_ctl: two /status samples (NUL between them) shaped like a
# sidecar's, and a management URL.
set -eu
d=$1
mkdir -p "$d"
printf '%s\0%s' \
'{"broker_name":"A","version":"0.1.0","uptime_ms":5000,"role":"active","broker":{"uri":"stomp://127.0.0.1:61613","current":"stomp://127.0.0.1:61613","state":"connected","connects":1},"preflight":{"ok":false,"state":"failed","problem":"broker sent no consumer advisory","fix":"set advisorySupport","checks":2},"local_demand":{"q1":2},"links":[{"id":1,"peer":"B","state":"up","direction":"dialed","duplex":true,"since_ms":1796208000000,"messages_out":10,"messages_in":3,"inflight":2,"remote_demand":{"q2":{"path":",B,"}}}],"connectors":[{"name":"to-X","target":"127.0.0.1:9","state":"waiting","attempts":3,"last_error":"connection refused"}]}' \
'{"broker_name":"A","broker":{"state":"connected"},"links":[{"id":1,"peer":"B","state":"up","messages_out":500,"messages_in":9,"remote_demand":{"q2":{"path":",B,"},"q1":{}}}],"local_demand":{"q1":1,"q3":"x"},"connectors":[]}' \
    > "$d/status-two-samples"
printf 'http://127.0.0.1:8700/status' > "$d/url"
printf '[::1]:8700' > "$d/url6"
