#!/usr/bin/env bash
# bench/post_counts.sh: deterministic counts per durable POST of the
# 64-reader case (bench/http_bench.sh's "POST, 64 readers"), for one or more
# builds: 64 registered readers each post WARM comments (varied bodies, one
# after another over one kept-alive connection), so that each has that
# many in the repeat window; then N more POSTs, one after another, are
# counted:
#   - instructions (valgrind --tool=callgrind, the server restarted under
#     it on the same database, instrumented for the N POSTs only), split
#     between the event loops (threads in libevent's loop) and the rest
#     (the writer);
#   - system calls (strace -f -c on the server run natively), with pread64,
#     the database pages read, shown apart.
# One POST after another: every read of the author's history comes after a
# commit, so each reader connection's page cache starts over (the worst
# case; under wrk some reads share a commit). Wall clock plays no part, so
# the counts hold on a busy machine. PAR=32 sends the counted POSTs 32 at a
# time instead (curl --parallel), so the writer commits them in groups as
# under wrk. ONE=1 posts as one reader into one article instead (the
# bench's one-author case, without its repeats).
# KEEP=DIR keeps each build's callgrind dumps (DIR/NAME/cg.*) and strace
# summary (DIR/NAME/strace) for callgrind_annotate.
# BENCH_DB_URL=postgres://... runs it on PostgreSQL (one build per database:
# e.g. tests/pg.sh -- bench/post_counts.sh 320 50 BIN, once per build).
# Usage: bench/post_counts.sh N WARM BIN...   (e.g. 320 50 /tmp/old /tmp/new)
# Needs: curl, valgrind, strace, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
N=$1 WARM=$2
shift 2
. bench/lib.sh
bench_workdir

openings=("I think" "Honestly," "As a parent," "Good point, and" "Not sure that" "My view is that"
  "From the report," "Agreed:")
topics=("the budget vote moves money from roads to schools" "the bypass consultation closes on Friday"
  "the library hours should be longer" "the new bus timetable works better for commuters"
  "the hearing next week needs more seats" "the school plan ignores the rural villages"
  "the council should publish the full figures" "the park renovation was worth the wait")

# posts FILE FROM COUNT: a curl config of COUNT POSTs (numbered from FROM),
# the readers in turn, bodies as http_bench.sh's 64-reader Lua makes them.
posts() {
  local n
  for ((n = $2; n < $2 + $3; n++)); do
    if [ -n "${ONE:-}" ]; then # http_bench.sh's one-author case
      printf 'url = "%s/api/v1/articles/bench-post/comments"\n' "$B"
      printf 'header = "Cookie: %s"\n' "${cookies[0]}"
      printf 'data = "{\\"body\\":\\"Posting comment number %d about the budget vote and the schools plan.\\"}"\n' "$n"
    else
      printf 'url = "%s/api/v1/articles/bench-post-%d/comments"\n' "$B" $((n % 16))
      printf 'header = "Cookie: %s"\n' "${cookies[n % 64]}"
      printf 'data = "{\\"body\\":\\"%s %s (%d).\\"}"\n' "${openings[n % 8]}" \
        "${topics[(n / 8) % 8]}" "$n"
    fi
    printf 'header = "Content-Type: application/json"\n'
    printf 'output = /dev/null\nwrite-out = "%%{http_code}\\n"\n'
    if [ $((n + 1)) -lt $(($2 + $3)) ]; then echo next; fi
  done >"$1"
}

# start BIN [WRAPPER...]: serves $work/b.db; sets pid and B.
start() {
  local bin=$1 port
  shift
  port=$(bench_free_port)
  : >"$work/log"
  "$@" "$bin" serve --listen 127.0.0.1:$port --db "${BENCH_DB_URL:-sqlite:$work/b.db}" --rate-limit off \
    --log-level info 2>"$work/log" &
  pid=$!
  bench_track $pid
  bench_wait_listening "$work/log" $pid 2400
  B=http://127.0.0.1:$port
}

stop() {
  kill $pid
  wait $pid 2>/dev/null || true
}

# run FILE: sends the POSTs; fails unless every one was answered 201.
run() {
  local codes
  codes=$(curl -s ${PAR:+-Z --parallel-max "$PAR"} --config "$1" 2>/dev/null | sort | uniq -c | tr -s ' ')
  [ "$codes" = " $(grep -c '^url' "$1") 201" ] || { echo "answers: $codes" >&2; exit 1; }
}

one() { # bin
  local bin=$1 name
  name=$(basename "$bin")
  rm -f "$work"/b.db* "$work"/cg.*
  start "$bin"
  cookies=()
  for i in $(seq 64); do
    cookies+=("$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
      -d "{\"name\":\"Bench Reader $i\",\"email\":\"reader$i@example.com\",\"password\":\"benchmark-pass\"}" \
      "$B/api/v1/auth/register" | sed -n 's/^[Ss]et-[Cc]ookie: \(parley_session=[^;]*\).*/\1/p')")
  done
  posts "$work/warm" 0 $((64 * WARM))
  run "$work/warm"
  # System calls of N POSTs.
  posts "$work/more" $((64 * WARM)) "$N"
  strace -f -c -o "$work/strace" -p $pid 2>/dev/null &
  local spid=$!
  sleep 1 # strace attaches to every thread
  run "$work/more"
  kill -INT $spid
  wait $spid || true
  stop
  # Instructions of N more POSTs, under callgrind on the same database.
  start "$bin" valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
    --callgrind-out-file="$work/cg.%p"
  posts "$work/more" $((64 * WARM + N)) "$N"
  # Not while the start-up compression of the static files still runs.
  while ! grep -q 'static files compressed' "$work/log"; do sleep 0.2; done
  callgrind_control -i on $pid >/dev/null
  run "$work/more"
  callgrind_control -d $pid >/dev/null
  callgrind_control -i off $pid >/dev/null
  stop
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP/$name"
    cp "$work"/cg.* "$work/strace" "$KEEP/$name/"
  fi
  python3 - "$N" "$name" "$work" <<'PY'
import glob, re, sys
n, name, work = int(sys.argv[1]), sys.argv[2], sys.argv[3]
sums = {"loops": 0, "writer": 0, "other": 0}
for f in glob.glob(work + "/cg.*.1-*"):  # the dump taken after the N POSTs
    text = open(f, errors="replace").read()
    m = re.search(r"^summary: (\d+)", text, re.M) or re.search(r"^totals: (\d+)", text, re.M)
    if not m:
        continue
    kind = ("loops" if "event_base_loop" in text else "writer" if "fn=" in text and
            re.search(r"^fn=.*(writer_main|run_group)", text, re.M) else "other")
    sums[kind] += int(m.group(1))
calls = total = 0
for line in open(work + "/strace"):
    p = line.split()
    if len(p) >= 5 and p[-1] == "pread64":
        calls = int(p[3])
    if len(p) >= 5 and p[-1] == "total":
        total = int(p[3])
print("%s N=%d instructions/POST: loops %.0f, writer %.0f, other %.0f; syscalls/POST %.1f, "
      "pread64/POST %.1f" % (name, n, sums["loops"] / n, sums["writer"] / n, sums["other"] / n,
                             total / n, calls / n))
PY
}

echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) $(nproc) cores, load average $(cut -d" " -f1-3 /proc/loadavg)"
for bin in "$@"; do one "$bin"; done
