#!/usr/bin/env bash
# bench/read_ratio.sh: the logged-in / anonymous ratio of a 100-comment
# thread read, side by side, without the rest of http_bench.sh (nginx, POST,
# the big thread), so two binaries can be alternated quickly on a loaded
# machine. Seeds 100 comments (the reader liked 10), then runs wrk for the
# anonymous and the logged-in read in turn, ROUNDS times, and prints
# requests/s, p99 and the ratio of each round.
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
echo "# threads=$TH load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq $ROUNDS); do
  a=$(wrk -t2 -c32 -d${DUR}s --latency "$U" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}')
  m=$(wrk -t2 -c32 -d${DUR}s --latency -s "$work/a.lua" "$U" | awk '/Requests\/sec/ {r=$2} $1=="99%" {p=$2} END {print r, p}')
  echo "anon $a | mine $m | ratio $(echo "$a $m" | awk '{printf "%.2f", $3/$1}')"
done
