#!/bin/sh
# What aws_lambda's SQL costs per call, each released version side by side, beside a bare PL/pgSQL
# dblink round trip to the same wire server (bench/trivial-bridge-server.ts, answering every
# request at once with a fixed row in the request's version), on a throwaway PostgreSQL 15
# cluster. pgbench, simple protocol, 1 and 8 clients, ROUNDS interleaved rounds of SECONDS each;
# CPU per call is the whole machine's (/proc/stat, all but idle and iowait) over the calls, so run
# it on a quiet machine. Prints each run and the medians.
#
#   npm run build && make -C extensions PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config install
#   sh bench/aws-lambda-sql.sh            (as root: the cluster runs as user postgres)
set -eu
BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
ROUNDS=${ROUNDS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
PORT=${PORT:-56799}
BRIDGE_PORT=${BRIDGE_PORT:-56798}
VERSIONS=$(ls extensions/aws_lambda/sql | sed -n 's/^aws_lambda--\([0-9.]*\)\.sql$/\1/p' | sort -V)
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
for v in $VERSIONS; do
  db="v$(echo "$v" | tr -d .)"
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
FLOOR_DB="v$(echo "$VERSIONS" | tail -n 1 | tr -d .)"
echo "SELECT bench_floor();" >"$DIR/floor.sql"
echo "SELECT status_code FROM aws_lambda.invoke('noop', '{}'::json);" >"$DIR/invoke.sql"

busy() { awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9 }' /proc/stat; }
ticks=$(getconf CLK_TCK)
run() { # name db script clients -> "name clients calls/s us-of-CPU-per-call"
  b0=$(busy)
  out=$("$BIN/pgbench" -h "$DIR" -p "$PORT" -U postgres -n -M simple -c "$4" -j "$4" -T "$SECONDS_PER_RUN" -f "$DIR/$3.sql" "$2" 2>/dev/null)
  b1=$(busy)
  n=$(echo "$out" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
  echo "$1 $4 $n $b0 $b1" | awk -v s="$SECONDS_PER_RUN" -v hz="$ticks" '{ printf "%s %s %.0f %.1f\n", $1, $2, $3 / s, ($5 - $4) / hz * 1e6 / $3 }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

: >"$DIR/results"
for r in $(seq "$ROUNDS"); do
  for c in 1 8; do
    run floor "$FLOOR_DB" floor "$c" | tee -a "$DIR/results"
    for v in $VERSIONS; do run "$v" "v$(echo "$v" | tr -d .)" invoke "$c" | tee -a "$DIR/results"; done
  done
done

echo
echo "medians of $ROUNDS rounds: calls/s and CPU per call (us, whole machine), and the CPU beyond the floor's"
for c in 1 8; do
  fcpu=$(awk -v c="$c" '$1 == "floor" && $2 == c { print $4 }' "$DIR/results" | median)
  for name in floor $VERSIONS; do
    tps=$(awk -v n="$name" -v c="$c" '$1 == n && $2 == c { print $3 }' "$DIR/results" | median)
    cpu=$(awk -v n="$name" -v c="$c" '$1 == n && $2 == c { print $4 }' "$DIR/results" | median)
    echo "$c client(s)  $name  $tps/s  $cpu us  +$(echo "$cpu $fcpu" | awk '{ printf "%.0f", $1 - $2 }') us"
  done
done
