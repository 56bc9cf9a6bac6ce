#!/bin/sh
# What aws_lambda's SQL costs per call, 1.0 against 1.1, beside a bare PL/pgSQL dblink round trip
# to the same wire server (bench/trivial-bridge-server.ts, answering every request at once with a
# fixed row in the request's version), on a throwaway PostgreSQL 15 cluster. pgbench, one client,
# simple protocol, ROUNDS interleaved rounds of SECONDS each; prints each round and the medians.
#
#   npm run build && make -C extensions PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install
#   sh bench/aws-lambda-sql.sh            (as root: the cluster runs as user postgres)
set -eu
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROUNDS=${ROUNDS:-5}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
PORT=${PORT:-56799}
BRIDGE_PORT=${BRIDGE_PORT:-56798}
DIR=$(mktemp -d /tmp/pglambda-sql-bench-XXXXXX)
chown postgres:postgres "$DIR"
as_pg() { runuser -u postgres -- "$@"; }

node dist/bench/trivial-bridge-server.js "$BRIDGE_PORT" >"$DIR/bridge.log" 2>&1 &
BRIDGE_PID=$!
as_pg "$BIN/initdb" -D "$DIR/data" --auth=trust -E UTF8 --locale=C.UTF-8 -U postgres >/dev/null
as_pg "$BIN/pg_ctl" -D "$DIR/data" -w -l "$DIR/log" -o "-p $PORT -k $DIR -c listen_addresses=''" start >/dev/null
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$DIR/data" -w -m fast stop >/dev/null || true
  kill "$BRIDGE_PID" || true
  rm -rf "$DIR"
}
trap cleanup EXIT

PSQL="psql -X -q -h $DIR -p $PORT -U postgres"
for v in 1.0 1.1; do
  db="v$(echo $v | tr -d .)"
  $PSQL -c "CREATE DATABASE $db"
  $PSQL -d "$db" -c "SET client_min_messages = warning; CREATE EXTENSION aws_lambda VERSION '$v' CASCADE" \
    -c "SELECT aws_lambda_private.configure_bridge('127.0.0.1', $BRIDGE_PORT, 'bench', 'bench')" >/dev/null
  # The floor: a bare PL/pgSQL function keeping one dblink connection, as bench/sql-invoke.ts's.
  $PSQL -d "$db" -c "CREATE FUNCTION bench_floor() RETURNS int LANGUAGE plpgsql AS \$\$
BEGIN
  IF NOT ('floor' = ANY(coalesce(dblink_get_connections(), '{}'))) THEN
    PERFORM dblink_connect('floor', 'host=127.0.0.1 port=$BRIDGE_PORT user=bench password=bench dbname=bench');
  END IF;
  RETURN (SELECT status_code FROM dblink('floor', '{\"v\":1}') AS t(status_code int, payload text, executed_version text, log_result text));
END \$\$"
done
echo "SELECT bench_floor();" >"$DIR/floor.sql"
echo "SELECT status_code FROM aws_lambda.invoke('noop', '{}'::json);" >"$DIR/invoke.sql"

latency() { # db script -> ms per call
  "$BIN/pgbench" -h "$DIR" -p "$PORT" -U postgres -n -M simple -c 1 -T "$SECONDS_PER_RUN" -f "$DIR/$2.sql" "$1" 2>/dev/null |
    sed -n 's/^latency average = \([0-9.]*\) ms$/\1/p'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$DIR/results"
echo "round  floor   1.0     1.1     (ms per call)"
for r in $(seq "$ROUNDS"); do
  f=$(latency v11 floor); a=$(latency v10 invoke); b=$(latency v11 invoke)
  echo "$r      $f  $a  $b"
  echo "$f $a $b" >>"$DIR/results"
done
F=$(cut -d' ' -f1 "$DIR/results" | median)
A=$(cut -d' ' -f2 "$DIR/results" | median)
B=$(cut -d' ' -f3 "$DIR/results" | median)
echo "median floor $F ms, 1.0 $A ms ($(echo "$A $F" | awk '{ printf "%.2f", $1 / $2 }')x floor, SQL $(echo "$A $F" | awk '{ printf "%.3f", $1 - $2 }') ms)," \
  "1.1 $B ms ($(echo "$B $F" | awk '{ printf "%.2f", $1 / $2 }')x floor, SQL $(echo "$B $F" | awk '{ printf "%.3f", $1 - $2 }') ms)"
