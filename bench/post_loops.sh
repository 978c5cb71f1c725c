#!/usr/bin/env bash
# bench/post_loops.sh: CPU per durable POST, by thread, for one or more
# builds in turn (old then new, ROUNDS times): the POST cases of
# bench/http_bench.sh (MODE one: one author, every comment in one article;
# MODE 64: 64 registered readers in turn with varied bodies, the same Lua),
# each on a fresh SQLite database, with `perf record -F 1999` attached to
# the server while wrk runs. Prints POSTs, POST/s and perf samples per POST
# (one sample is about 500 µs of CPU) of the event loops (the threads in
# libevent), the rest (the writer) and the loops' norm_fold; the start-up Brotli
# compression is left out.
# Usage: bench/post_loops.sh MODE DURATION_S CONNS BIN...   (ROUNDS=3)
# Needs: wrk, perf, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=$1 DUR=$2 C=$3
shift 3
. bench/lib.sh
bench_workdir
one() { # bin
  local port pid B ppid out req rps bad
  rm -f "$work/b.db"*
  port=$(bench_free_port)
  "$1" serve --listen 127.0.0.1:$port --db "sqlite:$work/b.db" --rate-limit off --log-level warn 2>"$work/log" &
  pid=$!
  bench_track $pid
  B=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "$B/healthz" >/dev/null && break; sleep 0.1; done
  reg() { curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d "{\"name\":\"Bench Reader $1\",\"email\":\"reader$1@example.com\",\"password\":\"benchmark-pass\"}" \
    "$B/api/v1/auth/register" | sed -n 's/^[Ss]et-[Cc]ookie: \(parley_session=[^;]*\).*/\1/p'; }
  # wrk's per-thread number and start time, as http_bench.sh hands them.
  sed -n "/^cat > \"\$work\/threads.lua\" <<'LUA'$/,/^LUA$/p" bench/http_bench.sh | sed '1d;$d' >"$work/threads.lua"
  if [ "$MODE" = one ]; then
    # The one-author Lua of bench/http_bench.sh, with this server's cookie.
    sed -n '/^cat > "$work\/post.lua" <<LUA$/,/^LUA$/p' bench/http_bench.sh | sed '1d;$d' |
      sed "s|parley_session=\$cookie|$(reg 0)|; s|\$work|$work|" >"$work/post.lua"
  else
    {
      printf 'local cookies = {'
      for i in $(seq 64); do printf '"%s",' "$(reg "$i")"; done
      echo '}'
      printf 'dofile("%s")\n' "$work/threads.lua"
      sed -n "/^  cat <<'LUA'$/,/^LUA$/p" bench/http_bench.sh | sed '1d;$d'
    } >"$work/post.lua"
  fi
  wrk -t1 -c4 -d2s -s "$work/post.lua" "$B" >/dev/null # 50 comments in the window
  perf record -q -F 1999 -p $pid -o "$work/perf.data" 2>/dev/null &
  ppid=$!
  out=$(wrk -t2 -c"$C" -d"${DUR}s" -s "$work/post.lua" "$B")
  kill -INT $ppid
  wait $ppid || true
  kill $pid
  wait $pid 2>/dev/null || true
  req=$(awk '/requests in/ {print $1}' <<<"$out")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  bad=$(awk '/Non-2xx/ {print $4}' <<<"$out")
  perf script -i "$work/perf.data" -F tid,ip,sym,dso 2>/dev/null | python3 -c '
import sys, collections
req = int(sys.argv[1]); cnt = collections.Counter(); kind = collections.defaultdict(collections.Counter)
for x in sys.stdin:
    p = x.split()
    if not p: continue
    cnt[p[0]] += 1
    k = kind[p[0]]
    if "brotli" in x: k["brotli"] += 1
    if "libevent" in x: k["loop"] += 1
    if "norm_fold" in x: k["fold"] += 1
loops = writer = fold = 0
for t, c in cnt.items():
    k = kind[t]
    if k["brotli"] > c * 0.2: continue
    if k["loop"] > c * 0.01: loops += c; fold += k["fold"]
    else: writer += c
print("loops %.3f writer+rest %.3f norm_fold %.3f samples/POST" % (loops / req, writer / req, fold / req))
' "$req" | sed "s|^|$(basename "$1") $MODE c=$C POSTs=$req POST/s=$rps non-2xx=${bad:-0} |"
}
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
for _ in $(seq "${ROUNDS:-3}"); do
  for bin in "$@"; do one "$bin"; done
done
echo "# load average at the end $(cut -d" " -f1-3 /proc/loadavg)"
