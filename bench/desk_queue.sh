#!/bin/sh
# bench/desk_queue.sh: how fast the moderator desk lists its queues on a
# database of 100,000 comments of which 5,000 are pending (held) and 1,000
# published ones carry open flags (3 each).
#
# Seeds a fresh SQLite database directly with SQL (after `parley admin
# create-user` has created and migrated it), starts the release server on
# it, logs in as a moderator and times the desk's requests: a single-request
# latency (median and worst of 21 curl calls) and throughput with wrk.
# Usage: sh bench/desk_queue.sh  (PARLEY_BIN to pick the binary; DURATION s)
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh
BIN=${PARLEY_BIN:-build/parley}
DURATION=${DURATION:-10}
DIR=$(mktemp -d /tmp/parley-bench-desk.XXXXXX)
DB="$DIR/bench.db"
trap 'kill "$PID" 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$DIR"' EXIT INT TERM
PID=0

printf 'correct horse battery\n' | "$BIN" admin create-user --db "sqlite:$DB" \
  --email mod@example.com --name Moderator --role moderator >/dev/null

start=$(date +%s)
sqlite3 "$DB" <<'SQL'
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000)
INSERT INTO users (email, name, pw_hash, role, created_at)
  SELECT 'reader' || x || '@example.com', 'Reader ' || x, '', 0,
         1700000000000 + x * 1000 FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 499)
INSERT INTO articles (id, title, created_at)
  SELECT 'article-' || x, 'Article number ' || x, 1700000000000 FROM n;
-- 100,000 comments in groups of ten per article; every 20th is pending
-- (5,000); those at x % 5 = 1 reply to the comment before them.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000)
INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation,
                      status, created_at)
  SELECT x, 'article-' || ((x / 10) % 500),
         CASE WHEN x % 5 = 1 THEN x - 1 END,
         CASE WHEN x % 5 = 1 THEN x - 1 ELSE x END,
         2 + (x * 7919) % 2000,
         'Comment number ' || x || ' with some words about the story, the council and the weather.',
         '<p>Comment number ' || x || ' with some words about the story.</p>',
         CASE WHEN x % 20 = 0
           THEN '{"decision":"hold","reasons":[{"rule":"premoderated","message":"Held for review.","excerpt":""}],"scores":{"offensive":0.41,"attack":0.12}}'
           ELSE '{"decision":"publish","reasons":[],"scores":{"offensive":0.02}}' END,
         CASE WHEN x % 20 = 0 THEN 1 ELSE 0 END,
         1700000000000 + x * 60000
  FROM n;
-- 1,000 published comments with three open flags each.
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 999),
     k(y) AS (VALUES (0), (1), (2))
INSERT INTO flags (comment_id, user_id, reason, note, created_at)
  SELECT x * 100 + 3, 2 + ((x * 3 + y) % 2000), 'personal_attack', 'note ' || y, 1700000000000
  FROM n, k;
COMMIT;
ANALYZE;
-- Start from a checkpointed file, as a long-running server would be.
PRAGMA wal_checkpoint(TRUNCATE);
SQL
echo "seeded in $(( $(date +%s) - start )) s: $(sqlite3 "$DB" 'SELECT count(*) FROM comments') comments," \
  "$(sqlite3 "$DB" 'SELECT count(*) FROM comments WHERE status = 1') pending," \
  "$(sqlite3 "$DB" 'SELECT count(DISTINCT comment_id) FROM flags') flagged"

"$BIN" serve --listen 127.0.0.1:0 --db "sqlite:$DB" --rate-limit off 2>"$DIR/log" &
PID=$!
bench_wait_listening "$DIR/log" "$PID" 200
bench_login "$URL" mod@example.com 'correct horse battery'

measure() {
  name=$1; path=$2
  code=$(curl -s -o "$DIR/out" -w '%{http_code}' -H "Cookie: $COOKIE" "$URL$path")
  items=$(grep -o '"comment":{\|"action":' "$DIR/out" | wc -l)
  times=$(for _ in $(seq 21); do
    curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$URL$path"; done | sort -n)
  med=$(echo "$times" | sed -n 11p); max=$(echo "$times" | tail -1)
  rps=$(wrk -t2 -c8 -d"${DURATION}s" -H "Cookie: $COOKIE" "$URL$path" |
    awk '/Requests\/sec/ {print $2} /Latency/ {lat=$2} END {print lat}' | paste -sd' ')
  printf '%-34s status %s, %3s items, %6s bytes, curl median %ss max %ss, wrk req/s + mean latency: %s\n' \
    "$name" "$code" "$items" "$(wc -c <"$DIR/out")" "$med" "$max" "$rps"
}

[ -z "${PROBE:-}" ] || { sh "$PROBE" "$URL" "$COOKIE"; exit 0; }
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c8 -d${DURATION}s"
measure "pending, first page (50)" "/api/v1/mod/queue?queue=pending&limit=50"
measure "pending, page 100 (after=99000)" "/api/v1/mod/queue?queue=pending&limit=50&after=99000"
measure "flagged, first page (50)" "/api/v1/mod/queue?queue=flagged&limit=50"
measure "rejected, empty" "/api/v1/mod/queue?queue=rejected&limit=50"
measure "counts" "/api/v1/mod/counts"
measure "log, first page (100)" "/api/v1/mod/log"
