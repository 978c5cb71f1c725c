#!/usr/bin/env bash
# bench/read_ratio.sh: the logged-in / anonymous ratio of a 100-comment
# thread read, side by side, without the rest of http_bench.sh (nginx, POST,
# the big thread), so two binaries can be alternated quickly on a loaded
# machine. Seeds 100 comments (the reader liked 10), then runs wrk for the
# anonymous and the logged-in read in turn, ROUNDS times, and prints
# requests/s, p99, the CPU microseconds per request of the server and
# (on PostgreSQL) the database's backends, and the ratio of each round.
# Usage: bench/read_ratio.sh BIN DB_URL [THREADS] [ROUNDS] [DURATION_S];
# on PostgreSQL: tests/pg.sh -- sh -c 'bench/read_ratio.sh build/parley $PARLEY_TEST_DB_URL'
# (each run seeds its own user and article, so runs can share a database).
set -euo pipefail
BIN=$1; DB=$2; TH=${3:-2}; ROUNDS=${4:-3}; DUR=${5:-4}
work=$(mktemp -d); S=$RANDOM
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PARLEY_THREADS=$TH $BIN serve --listen 127.0.0.1:$PORT --db "$DB" --rate-limit off --log-level warn 2>"$work/log" &
pp=$!
trap 'kill $pp 2>/dev/null; wait $pp 2>/dev/null; rm -rf $work' EXIT
B=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -sf "$B/healthz" >/dev/null && break; sleep 0.1; done
curl -sf -c "$work/cj" -H 'content-type: application/json' -d "{\"name\":\"Bench Reader $S\",\"email\":\"bench$S@example.com\",\"password\":\"benchmark-pass\"}" "$B/api/v1/auth/register" >/dev/null
for i in $(seq 100); do curl -sf -b "$work/cj" -H 'content-type: application/json' -d "{\"body\":\"Comment $i: the council's *budget* plan moves money from roads to schools; the vote is next week.\"}" "$B/api/v1/articles/q$S-100/comments" >/dev/null; done
for id in $(seq 1 10 100); do curl -sf -b "$work/cj" -X POST "$B/api/v1/comments/$id/likes" >/dev/null; done
cookie=$(awk '/parley_session/ {print $7}' "$work/cj")
echo "wrk.headers[\"Cookie\"] = \"parley_session=$cookie\"" > "$work/a.lua"
U="$B/api/v1/articles/q$S-100/comments?limit=100"
# CPU time (user + system, in clock ticks) of the server and, on
# PostgreSQL, of the database's backends: what a read costs the machine,
# which a loaded machine's scheduling does not change as much as req/s.
pids() { echo $pp; case $DB in postgres*) psql "$DB" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" ;; esac; }
ticks() { local t=0 p; for p in $(pids); do [ -r /proc/$p/stat ] && t=$((t + $(awk '{print $14 + $15}' /proc/$p/stat))); done; echo $t; }
sticks() { awk '{print $14 + $15}' /proc/$pp/stat; }
# wrk, then the CPU it cost per request in microseconds.
run() { local t0 t1 s0 s1 out; t0=$(ticks); s0=$(sticks); out=$(wrk -t2 -c32 -d${DUR}s --latency "$@" | awk '/^Requests\/sec/ {r=$2} /requests in/ {n=$1} $1=="99%" {p=$2} END {print r, p, n}'); t1=$(ticks); s1=$(sticks)
  echo "$out" | awk -v d=$((t1 - t0)) -v s=$((s1 - s0)) -v hz="$(getconf CLK_TCK)" '{printf "%s %s %.0f (server %.0f)", $1, $2, d / hz * 1e6 / $3, s / hz * 1e6 / $3}'; }
echo "# threads=$TH load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq $ROUNDS); do
  a=$(run "$U")
  m=$(run -s "$work/a.lua" "$U")
  echo "anon $a us/req | mine $m us/req | ratio $(echo "$a $m" | awk '{printf "%.2f", $6/$1}')"
done
