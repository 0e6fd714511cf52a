#!/bin/sh
# Runs newshound as several real processes on one PostgreSQL database.
#
#   scripts/replicas.sh          the failover check: 3 replicas, 60 alerts on
#                                a slow webhook, the lease holder SIGKILLed
#                                mid-send; then a /news add on one replica
#                                must be live on the others within 10 s
#   scripts/replicas.sh bench    the scale-out figures: 1 and 3 replicas, the
#                                same feeds, one burst of items
#
# NEWSHOUND_TEST_PG_DSN names the server (default: postgres@127.0.0.1:5432,
# database test); each run uses a fresh schema and drops it after.
set -eu
cd "$(dirname "$0")/.."
bin=$(mktemp -d)/newshound
go build -o "$bin" .
export NEWSHOUND_BIN="$bin"
case "${1:-failover}" in
failover) NEWSHOUND_REPLICAS=1 exec go test -count=1 -run '^TestReplicasFailover$' -v -timeout 10m . ;;
bench) NEWSHOUND_REPLICAS_BENCH=1 exec go test -count=1 -run '^TestReplicasScaleOut$' -v -timeout 20m . ;;
*) echo "usage: $0 [failover|bench]" >&2; exit 2 ;;
esac
