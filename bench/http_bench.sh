#!/usr/bin/env bash
# bench/http_bench.sh: Parley against nginx on loopback, side by side in one run.
#
# Seeds a 100-comment thread, saves the exact bytes Parley answers for an
# anonymous GET of it, serves those bytes from nginx as a static file (with
# nginx's built-in defaults, and as Debian's nginx.conf tunes it) and from a
# bare evhttp server (bench/evhttp_floor.c: evhttp as shipped), then runs wrk
# against all four (GET), and against Parley's POST of new comments.
# Also seeds a 50,000-comment thread (BENCH_BIG) and reads the first page of
# both threads anonymously and logged in, side by side (ROUNDS times, medians
# and the logged-in / anonymous ratio). Prints requests/s and p50/p99 latency
# per case, plus Parley's idle and peak resident memory.
# Usage: bench/http_bench.sh [DURATION_S] [CONNS...]; BENCH_DB_URL=postgres://...
# runs it on PostgreSQL (e.g. under tests/pg.sh -- ...); BENCH_ROUNDS=N
# repeats the read comparison N times (default 3) and reports medians.
# Needs: build/parley, wrk, nginx (make test-deps installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
DUR=${1:-10}
shift || true
CONNS=${*:-32 256}
PARLEY=${PARLEY_BIN:-build/parley}
DB_URL=${BENCH_DB_URL:-}
ROUNDS=${BENCH_ROUNDS:-3}
. bench/lib.sh
bench_workdir
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
anon_kb() { awk '/RssAnon/ {print $2}' "/proc/$1/status"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

PPORT=$(bench_free_port)
db=${DB_URL:-sqlite:$work/bench.db}
$PARLEY serve --listen 127.0.0.1:$PPORT --db "$db" --rate-limit off --log-level warn 2>"$work/parley.log" &
ppid=$!
bench_track $ppid
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PPORT/healthz" >/dev/null && break; sleep 0.1; done
B=http://127.0.0.1:$PPORT
idle=$(rss_kb $ppid)
idle_anon=$(anon_kb $ppid)

# Seed: one author, 100 top-level comments of ~200 bytes of Markdown each.
bench_seed_thread "$B" "$work/cj" bench-100
URL_PATH="/api/v1/articles/bench-100/comments?limit=100"
curl -sf "$B$URL_PATH" > "$work/thread.json"
bytes=$(wc -c < "$work/thread.json")

# nginx serving the same bytes as a static file: once with nginx's built-in
# defaults (sendfile off), once as Debian's packaged nginx.conf sets it up.
NPORT=$(bench_free_port)
NPORT2=$(bench_free_port)
mkdir -p "$work/www/api/v1/articles/bench-100" "$work/ngx"
cp "$work/thread.json" "$work/www/api/v1/articles/bench-100/comments"
chmod 711 "$work"; chmod -R a+rX "$work/www"  # nginx workers run as nobody under root
cat > "$work/nginx.conf" <<NGX
worker_processes 2;
daemon off;
pid $work/ngx/nginx.pid;
error_log $work/ngx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/ngx/body;
  proxy_temp_path $work/ngx/proxy;
  fastcgi_temp_path $work/ngx/fastcgi;
  uwsgi_temp_path $work/ngx/uwsgi;
  scgi_temp_path $work/ngx/scgi;
  default_type application/json;
  server { listen 127.0.0.1:$NPORT; root $work/www; }
  # nginx as Debian's stock nginx.conf runs it: sendfile and tcp_nopush on,
  # plus a cache of open file descriptors.
  server {
    listen 127.0.0.1:$NPORT2; root $work/www;
    sendfile on; tcp_nopush on;
    open_file_cache max=100 inactive=60s;
  }
}
NGX
nginx -c "$work/nginx.conf" -p "$work/ngx" &
bench_track $!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$NPORT$URL_PATH" >/dev/null && break; sleep 0.1; done
curl -s "http://127.0.0.1:$NPORT$URL_PATH" > "$work/ngx.json"; cmp "$work/ngx.json" "$work/thread.json" || { echo "nginx bytes differ" >&2; head -c 300 "$work/ngx.json" >&2; exit 1; }
curl -s "http://127.0.0.1:$NPORT2$URL_PATH" | cmp - "$work/thread.json" || { echo "nginx (sendfile) bytes differ" >&2; exit 1; }

# The HTTP library's own ceiling: a bare evhttp server with Parley's libevent
# setup, answering the same bytes from memory (bench/evhttp_floor.c).
FLOOR=build/bench/evhttp_floor
[ -x "$FLOOR" ] || make -s "$FLOOR" >/dev/null
FPORT=$(bench_free_port)
"$FLOOR" "$work/thread.json" "$FPORT" &
bench_track $!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$FPORT/" >/dev/null && break; sleep 0.1; done

# wrk prints latency percentiles with --latency; pick p50 and p99.
# Parley's resident memory halfway through each of its cases, the largest
# seen per kind (GET or POST): memory under load, apart from the 64 MiB the
# one argon2id hash of the seeding made (that shows in the peak only).
LOAD_RSS_GET=0
LOAD_RSS_POST=0
run_wrk() { # name url conns [script]
  local name=$1 url=$2 c=$3 script=${4:-}
  local out sampler=
  case $name in parley*) (sleep "$(awk -v d="$DUR" 'BEGIN {print d / 2}')"; rss_kb "$ppid" >"$work/rss") & sampler=$! ;; esac
  if [ -n "$script" ]; then out=$(wrk -t2 -c"$c" -d"${DUR}s" --latency -s "$script" "$url"); 
  else out=$(wrk -t2 -c"$c" -d"${DUR}s" --latency "$url"); fi
  if [ -n "$sampler" ]; then
    wait "$sampler"
    local kb; kb=$(cat "$work/rss")
    case $name in
      *POST*) [ "$kb" -gt "$LOAD_RSS_POST" ] && LOAD_RSS_POST=$kb ;;
      *) [ "$kb" -gt "$LOAD_RSS_GET" ] && LOAD_RSS_GET=$kb ;;
    esac
  fi
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  errs=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  printf '%-28s conns=%-4s req/s=%-10s p50=%-9s p99=%-9s non2xx=%s\n' "$name" "$c" "$rps" "$p50" "$p99" "${errs:-0}"
  LAST_RPS=$rps
  LAST_P99=$p99
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(uname -m), $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); response $bytes bytes; ${DUR}s per case; db=${db%%:*}"
# The read comparison runs ROUNDS times in turn (the machine is noisy: one
# slow second can sink a single run), then prints each server's median and
# Parley's ratio to each of the others.
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
for c in $CONNS; do
  : >"$work/rps"
  for _ in $(seq "$ROUNDS"); do
    run_wrk "nginx static GET" "http://127.0.0.1:$NPORT$URL_PATH" "$c"; echo "nginx $LAST_RPS" >>"$work/rps"
    run_wrk "nginx, sendfile+fd cache" "http://127.0.0.1:$NPORT2$URL_PATH" "$c"; echo "nginx_sf $LAST_RPS" >>"$work/rps"
    run_wrk "bare evhttp, same bytes" "http://127.0.0.1:$FPORT$URL_PATH" "$c"; echo "floor $LAST_RPS" >>"$work/rps"
    run_wrk "parley GET 100-comment" "$B$URL_PATH" "$c"; echo "parley $LAST_RPS" >>"$work/rps"
  done
  med() { awk -v k="$1" '$1==k {print $2}' "$work/rps" | median; }
  m_ng=$(med nginx); m_sf=$(med nginx_sf); m_fl=$(med floor); m_pa=$(med parley)
  awk -v c="$c" -v r="$ROUNDS" -v ng="$m_ng" -v sf="$m_sf" -v fl="$m_fl" -v pa="$m_pa" 'BEGIN {
    printf "medians of %d rounds, conns=%s: parley %.0f, nginx %.0f (%.2fx), nginx sendfile+fd cache %.0f (%.2fx), bare evhttp %.0f (%.2fx)\n",
      r, c, pa, ng, pa/ng, sf, pa/sf, fl, pa/fl }'
done
peak_get=$(hwm_kb $ppid)

# A big thread (BENCH_BIG comments): its first page should cost what a small
# one does (keyset paging on indexes). Then the personal views: a logged-in
# reader's page is the cached anonymous page plus their own layer (their
# likes, mutes and pending comments, one query), so the logged-in read of
# each thread is measured side by side with the anonymous read of the same
# page, ROUNDS times in turn, with medians and the logged-in / anonymous
# ratio. The reader has liked 10 of the 100 comments, so the layer is not
# empty.
cookie=$(awk '/parley_session/ {print $7}' "$work/cj")
BIG=${BENCH_BIG:-50000}
node bench/seed.mjs "$B" "parley_session=$cookie" bench-big "$BIG"
python3 - "$work/thread.json" <<'PY' >"$work/like_ids"
import json, sys
print(" ".join(c["id"] for c in json.load(open(sys.argv[1]))["comments"][::10]))
PY
for id in $(cat "$work/like_ids"); do
  curl -sf -b "$work/cj" -X POST "$B/api/v1/comments/$id/likes" >/dev/null
done
cat > "$work/authed.lua" <<LUA
wrk.headers["Cookie"] = "parley_session=$cookie"
LUA
BIG_PATH="/api/v1/articles/bench-big/comments?limit=100"
# The logged-in page is the anonymous one with the reader's likes marked.
curl -sf "$B$URL_PATH" >"$work/anon.json"
curl -sf -b "$work/cj" "$B$URL_PATH" >"$work/mine.json"
python3 - "$work/anon.json" "$work/mine.json" <<'PY'
import json, sys
anon, mine = (json.load(open(f)) for f in sys.argv[1:])
liked = sum(c["liked_by_me"] for c in mine["comments"])
for c in mine["comments"]:
    c["liked_by_me"] = False
assert anon == mine and liked == 10, "the logged-in page is not the anonymous one with 10 likes"
PY
# p99 from wrk's units to milliseconds.
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms$/,"",v); else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}'; }
for c in $CONNS; do
  : >"$work/pers"
  for _ in $(seq "$ROUNDS"); do
    for kind in anon100 mine100 anonbig minebig; do
      case $kind in
        anon100) run_wrk "parley GET 100 anonymous" "$B$URL_PATH" "$c" ;;
        mine100) run_wrk "parley GET 100 logged-in" "$B$URL_PATH" "$c" "$work/authed.lua" ;;
        anonbig) run_wrk "parley GET ${BIG} anonymous" "$B$BIG_PATH" "$c" ;;
        minebig) run_wrk "parley GET ${BIG} logged-in" "$B$BIG_PATH" "$c" "$work/authed.lua" ;;
      esac
      echo "$kind $LAST_RPS $(to_ms <<<"$LAST_P99")" >>"$work/pers"
    done
  done
  pmed() { awk -v k="$1" -v f="$2" '$1==k {print $f}' "$work/pers" | median; }
  awk -v c="$c" -v r="$ROUNDS" -v big="$BIG" \
    -v a1="$(pmed anon100 2)" -v m1="$(pmed mine100 2)" -v ab="$(pmed anonbig 2)" -v mb="$(pmed minebig 2)" \
    -v pa1="$(pmed anon100 3)" -v pm1="$(pmed mine100 3)" -v pab="$(pmed anonbig 3)" -v pmb="$(pmed minebig 3)" 'BEGIN {
    printf "medians of %d rounds, conns=%s: 100-comment anonymous %.0f (p99 %.2f ms), logged-in %.0f (p99 %.2f ms), %.2fx; %s-comment first page anonymous %.0f (p99 %.2f ms), logged-in %.0f (p99 %.2f ms), %.2fx\n",
      r, c, a1, pa1, m1, pm1, m1/a1, big, ab, pab, mb, pmb, mb/ab }'
done

# POST: each wrk connection posts as the bench user, every comment into the
# same article: the worst case for the engine's look at the author's recent
# comments (the newest 50, all within the repeat window). Every body is new:
# wrk gives each thread its own Lua state, so a counter alone repeats across
# its threads (and across runs on the same database, within the 600 s repeat
# window), and the repeat rule held some of them (bench/RESULTS.md). setup() (run
# in wrk's main state, once per thread) hands each thread its number and the
# run's start time; both scripts load it from threads.lua. Beside it, the same
# POSTs spread over 64 registered readers in turn with varied bodies (8
# openings by 8 topics, numbered per wrk thread and run, so no two are the
# same text): closer to a real comment section.
cat > "$work/threads.lua" <<'LUA'
local threads = 0
local started = os.time()
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
  thread:set("run", started)
end
LUA
cat > "$work/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "parley_session=$cookie"
dofile("$work/threads.lua")
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/api/v1/articles/bench-post/comments", nil,
    '{"body":"Posting comment number ' .. n .. ' (' .. run .. '.' .. tid .. ') about the budget vote and the schools plan."}')
end
LUA
READERS=64
{
  printf 'local cookies = {'
  for i in $(seq "$READERS"); do
    rc=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
      -d "{\"name\":\"Bench Reader $i\",\"email\":\"reader$i@example.com\",\"password\":\"benchmark-pass\"}" \
      "$B/api/v1/auth/register" | sed -n 's/^[Ss]et-[Cc]ookie: \(parley_session=[^;]*\).*/\1/p')
    [ -n "$rc" ] || { echo "registering reader $i failed" >&2; exit 1; }
    printf '"%s",' "$rc"
  done
  echo '}'
  printf 'dofile("%s")\n' "$work/threads.lua"
  cat <<'LUA'
local openings = {"I think", "Honestly,", "As a parent,", "Good point, and", "Not sure that",
  "My view is that", "From the report,", "Agreed:"}
local topics = {"the budget vote moves money from roads to schools",
  "the bypass consultation closes on Friday", "the library hours should be longer",
  "the new bus timetable works better for commuters", "the hearing next week needs more seats",
  "the school plan ignores the rural villages", "the council should publish the full figures",
  "the park renovation was worth the wait"}
local n = 0
request = function()
  n = n + 1
  local body = string.format("%s %s (%d.%d.%d).", openings[n % 8 + 1], topics[math.floor(n / 8) % 8 + 1], run, tid, n)
  return wrk.format("POST", "/api/v1/articles/bench-post-" .. (n % 16) .. "/comments",
    {["Content-Type"] = "application/json", ["Cookie"] = cookies[n % #cookies + 1]},
    '{"body":"' .. body .. '"}')
end
LUA
} > "$work/post64.lua"
for c in $CONNS; do
  run_wrk "parley POST comment" "$B" "$c" "$work/post.lua"
  run_wrk "parley POST, 64 readers" "$B" "$c" "$work/post64.lua"
done
echo "parley memory: idle ${idle} kB RSS (${idle_anon} kB of it private: the rest is shared library pages), under load ${LOAD_RSS_GET} kB (GETs) and ${LOAD_RSS_POST} kB (POSTs), peak ${peak_get} kB after GETs, peak $(hwm_kb $ppid) kB after POSTs (argon2id hashing takes 64 MiB while it runs); load average at the end $(cut -d" " -f1-3 /proc/loadavg)"
