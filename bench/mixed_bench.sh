#!/usr/bin/env bash
# bench/mixed_bench.sh: the load of a breaking story (issue 17): anonymous
# reads, logged-in reads and writes (new comments and likes) of one
# 100-comment thread at once, while LISTENERS live-update streams (default
# 5,000) listen on that article, so every new comment is pushed to all of
# them. Three wrk processes run together, one per class, with 27, 3 and 2
# connections (about 90 %, 8 % and 2 % of the connections; wrk runs each
# connection as fast as it is answered, so the share of requests each class
# gets is measured, not set: the script prints it). Prints requests/s, p50
# and p99 per class, the streams that got events, and the load average.
# Usage: bench/mixed_bench.sh [DURATION_S] [LISTENERS]; PARLEY_BIN and
# BENCH_DB_URL (postgres://..., e.g. under tests/pg.sh) as http_bench.sh; BENCH_PERF=FILE records a perf profile (perf record -g) of
# the server during the run. Needs wrk, node and a descriptor limit above
# LISTENERS.
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
LISTENERS=${2:-5000}
PARLEY=${PARLEY_BIN:-build/parley}
. bench/lib.sh
bench_workdir
PORT=$(bench_free_port)
MPORT=$(bench_free_port)
max=$((LISTENERS + 1000))
printf 'max_connections = %d\nmax_connections_per_ip = %d\nmax_streams = %d\nmax_streams_per_client = %d\nmetrics_listen = 127.0.0.1:%d\n' \
  "$max" "$max" "$max" "$max" "$MPORT" >"$work/parley.conf"
$PARLEY serve --listen 127.0.0.1:$PORT --db "${BENCH_DB_URL:-sqlite:$work/bench.db}" --config "$work/parley.conf" \
  --rate-limit off --log-level warn 2>"$work/parley.log" &
ppid=$!
bench_track $ppid
B=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -sf "$B/healthz" >/dev/null && break; sleep 0.1; done

bench_seed_thread "$B" "$work/cj" bench-100
for id in $(seq 1 10 100); do curl -sf -b "$work/cj" -X POST "$B/api/v1/comments/$id/likes" >/dev/null; done
cookie=$(awk '/parley_session/ {print $7}' "$work/cj")
URL_PATH="/api/v1/articles/bench-100/comments?limit=100"

node bench/sse_hold.mjs "$PORT" bench-100 "$LISTENERS" "$work/ready" &
hold=$!
bench_track $hold
for _ in $(seq 600); do [ -s "$work/ready" ] && break; sleep 0.1; done
[ -s "$work/ready" ] || { echo "the listeners did not connect" >&2; exit 1; }

cat >"$work/authed.lua" <<LUA
wrk.headers["Cookie"] = "parley_session=$cookie"
LUA
# Writes: every other request a new comment, else a like of one of the 100.
cat >"$work/write.lua" <<LUA
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "parley_session=$cookie"
local n = 0
request = function()
  n = n + 1
  if n % 2 == 0 then
    return wrk.format("POST", "/api/v1/comments/" .. (n % 100 + 1) .. "/likes", nil, "")
  end
  return wrk.format("POST", "/api/v1/articles/bench-100/comments", nil,
    '{"body":"Breaking: comment number ' .. n .. ' on the budget vote and the schools plan."}')
end
LUA
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); $(head -1 "$work/ready" | cut -d' ' -f2) listeners on the article; ${DUR}s"
wrk -t1 -c27 -d"${DUR}s" --latency "$B$URL_PATH" >"$work/anon.out" &
w1=$!
wrk -t1 -c3 -d"${DUR}s" --latency -s "$work/authed.lua" "$B$URL_PATH" >"$work/mine.out" &
w2=$!
wrk -t1 -c2 -d"${DUR}s" --latency -s "$work/write.lua" "$B" >"$work/write.out" &
w3=$!
if [ -n "${BENCH_PERF:-}" ]; then  # a profile of Parley during the run: perf record -g into BENCH_PERF
  perf record -g -o "$BENCH_PERF" -p "$ppid" -- sleep $((DUR > 2 ? DUR - 1 : DUR)) >/dev/null 2>&1 &
  bench_track $!
fi
metric() { curl -sf "http://127.0.0.1:$MPORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }
misses0=$(metric 'parley_cache_requests_total{result="miss"}')
wait $w1 $w2 $w3
misses=$(( $(metric 'parley_cache_requests_total{result="miss"}') - misses0 ))
layer_hits=$(metric 'parley_session_layer_reads_total{result="hit"}')
layer_misses=$(metric 'parley_session_layer_reads_total{result="miss"}')
kill -TERM $hold
wait $hold 2>/dev/null || true
total=0
for k in anon mine write; do
  r=$(awk '/Requests\/sec/ {print $2}' "$work/$k.out")
  total=$(awk -v a="$total" -v b="$r" 'BEGIN {print a + b}')
done
for k in anon mine write; do
  out="$work/$k.out"
  awk -v k="$k" -v t="$total" '
    /Requests\/sec/ {rps = $2}
    $1 == "50%" {p50 = $2}
    $1 == "99%" {p99 = $2}
    /Non-2xx/ {bad = $4}
    END {printf "%-22s req/s=%-10s (%4.1f%% of all) p50=%-9s p99=%-9s non2xx=%s\n",
      k == "anon" ? "anonymous reads" : k == "mine" ? "logged-in reads" : "writes (posts, likes)",
      rps, 100 * rps / t, p50, p99, bad + 0}' "$out"
done
writes=$(awk '/requests in/ {print $1}' "$work/write.out")
echo "anonymous page builds (cache misses) during the run: $misses, for $writes writes (each one makes the page stale)"
echo "logged-in readers' sessions and layers: ${layer_hits:-?} from the node's cache, ${layer_misses:-?} read from the database (since the start)"
echo "listeners: $(tr '\n' ' ' <"$work/ready"); load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
