#!/bin/sh
# bench/backup_bench.sh: `parley backup` on a database of 1,000,000 comments
# (2,000 readers, 500 articles, ~200-byte comments with their HTML and
# moderation JSON), seeded directly with SQL after `parley admin create-user`
# has created and migrated the file. Prints the time and size of the backup,
# idle and while a server on the same file answers writes.
# Usage: sh bench/backup_bench.sh [COMMENTS]  (PARLEY_BIN picks the binary)
set -eu
BIN=${PARLEY_BIN:-build/parley}
N=${1:-1000000}
DIR=$(mktemp -d /tmp/parley-bench-backup.XXXXXX)
DB="$DIR/bench.db"
trap '[ -z "${PID:-}" ] || kill "$PID" 2>/dev/null || true; rm -rf "$DIR"' EXIT INT TERM

printf 'correct horse battery\n' | "$BIN" admin create-user --db "sqlite:$DB" \
  --email writer@example.com --name Writer --role reader >/dev/null
start=$(date +%s)
sqlite3 "$DB" <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000)
INSERT INTO users (email, name, pw_hash, role, created_at)
  SELECT 'reader' || x || '@example.com', 'Reader ' || x, '', 0, 1700000000000 + x * 1000 FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 499)
INSERT INTO articles (id, title, created_at)
  SELECT 'article-' || x, 'Article number ' || x, 1700000000000 FROM n;
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < $N)
INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation,
                      status, created_at)
  SELECT x, 'article-' || ((x / 10) % 500), NULL, x, 2 + (x * 7919) % 2000,
         'Comment number ' || x || ' with some words about the story, the council and the weather.',
         '<p>Comment number ' || x || ' with some words about the story, the council and the weather.</p>',
         '{"decision":"publish","reasons":[],"scores":{"offensive":0.02}}', 0,
         1700000000000 + x * 60000
  FROM n;
COMMIT;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
echo "seeded $N comments in $(( $(date +%s) - start )) s; database $(stat -c %s "$DB") bytes"

"$BIN" backup --db "sqlite:$DB" --to "$DIR/idle.db"
rm -f "$DIR/idle.db"

# The same while a server on the file takes comments from one client.
"$BIN" serve --listen 127.0.0.1:0 --db "sqlite:$DB" --rate-limit off 2>"$DIR/log" &
PID=$!
URL=
for _ in $(seq 100); do URL=$(sed -n 's/.*msg=listening url=\([^ ]*\).*/\1/p' "$DIR/log" 2>/dev/null); [ -n "$URL" ] && break; sleep 0.1; done
[ -n "$URL" ] || { cat "$DIR/log"; exit 1; }
curl -sf -c "$DIR/cj" -H 'content-type: application/json' \
  -d '{"name":"Bench","email":"bench@example.com","password":"benchmark-pass"}' "$URL/api/v1/auth/register" >/dev/null
touch "$DIR/go"
( i=0; while [ -e "$DIR/go" ]; do i=$((i + 1))
    curl -sf -b "$DIR/cj" -H 'content-type: application/json' \
      -d "{\"body\":\"Note $i on the harbour plan during the backup.\"}" "$URL/api/v1/articles/live/comments" >/dev/null || true
  done; echo "$i comments posted while backing up" ) &
WPID=$!
"$BIN" backup --db "sqlite:$DB" --to "$DIR/busy.db"
rm -f "$DIR/go"
wait "$WPID"
