#!/usr/bin/env bash
# bench/pg_writer_shapes.sh: PostgreSQL's CPU per comment for the writer's
# transaction shapes, with pgbench (one client, -M prepared, pipelined as
# the writer sends them): a group of 32 new comments into 16 articles
#   perjob   main's shape before the batches: per comment SAVEPOINT job,
#            SAVEPOINT op, the article's INSERT ... ON CONFLICT DO NOTHING,
#            the comment's insert, RELEASE op, pg_notify, RELEASE job;
#   nosave   the same without the savepoints;
#   batch    the writer's batch (docs/STORAGE.md): one insert of the
#            articles, one of the 32 comments, one pg_notify over an array.
# Prints, per run, groups done and PostgreSQL's CPU (the postmaster and its
# children, exited ones included, from /proc) per comment; ROUNDS rounds of
# the three alternated, DURATION seconds each.
# Usage: tests/pg.sh -- bench/pg_writer_shapes.sh [ROUNDS] [DURATION]
# Needs: build/parley (its migrations make the schema), pgbench.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3} DUR=${2:-5}
U=${PARLEY_TEST_DB_URL:?run under tests/pg.sh --}
PGBENCH=
for b in /usr/lib/postgresql/*/bin/pgbench; do PGBENCH=$b; done # the glob sorts: the newest
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo benchmark-pass | build/parley admin create-user --db "$U" --email shapes@example.com \
  --name Shapes --role reader >/dev/null
pm=$(head -n 1 "$(psql -X -A -t -d "$U" -c 'SHOW data_directory')/postmaster.pid")
ticks() {
  local t=0 p
  for p in $pm $(pgrep -P "$pm"); do
    [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat")))
  done
  echo "$t"
}
ART="INSERT INTO articles (id, created_at) VALUES ('shape-' || :a, 1765000000000) ON CONFLICT (id) DO NOTHING;"
COM="WITH n AS (SELECT nextval(pg_get_serial_sequence('comments', 'id')) AS id) INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation, status, featured, created_at, fold_hash, fold_len, fold_ver) SELECT n.id, 'shape-' || :a, NULL::bigint, coalesce(p.root_id, n.id), 1, :body, :html, :mod, 0, false, 1765000000000, :h, 120, 3 FROM n LEFT JOIN comments p ON p.id = NULL::bigint WHERE NULL::bigint IS NULL OR p.article_id = 'shape-' || :a RETURNING id, root_id;"
NOTE="SELECT pg_notify('parley', 'node1 shape-' || :a || ' created 12345 1');"
{
  printf '%s\n' '\set a random(1, 16)' '\set h random(1, 1000000000)'
  printf '%s\n' '\startpipeline' 'BEGIN;' 'SAVEPOINT job;' 'SAVEPOINT op;' "$ART" '\endpipeline'
  for i in $(seq 32); do
    printf '%s\n' "$COM" '\startpipeline' 'RELEASE op;' "$NOTE" 'RELEASE job;'
    if [ "$i" -lt 32 ]; then printf '%s\n' 'SAVEPOINT job;' 'SAVEPOINT op;' "$ART"; else echo 'COMMIT;'; fi
    printf '%s\n' '\endpipeline'
  done
} >"$work/perjob.sql"
grep -v 'SAVEPOINT\|RELEASE' "$work/perjob.sql" >"$work/nosave.sql"
ARTS="(SELECT array_agg('shape-' || ((:a + g) % 16 + 1)) FROM generate_series(1, 32) g)"
{
  printf '%s\n' '\set a random(1, 16)' '\set h random(1, 1000000000)' '\startpipeline' 'BEGIN;'
  echo "INSERT INTO articles (id, created_at) SELECT DISTINCT x, 1765000000000 FROM unnest($ARTS) x ON CONFLICT (id) DO NOTHING;"
  echo "WITH v AS (SELECT * FROM unnest($ARTS, array_fill(1::bigint, ARRAY[32]), array_fill(:body::text, ARRAY[32]), array_fill(:html::text, ARRAY[32]), array_fill(:mod::text, ARRAY[32]), (SELECT array_agg(:h + g::bigint) FROM generate_series(1, 32) g)) WITH ORDINALITY AS v(article_id, author_id, body, html, moderation, fold_hash, k)), n AS (SELECT v.*, nextval(pg_get_serial_sequence('comments', 'id')) AS id FROM v) INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation, status, featured, created_at, fold_hash, fold_len, fold_ver) SELECT n.id, n.article_id, NULL, n.id, n.author_id, n.body, n.html, n.moderation, 0, false, 1765000000000, n.fold_hash, 120, 3 FROM n ORDER BY n.k;"
  printf '%s\n' '\endpipeline' '\startpipeline'
  echo "SELECT pg_notify('parley', x) FROM unnest((SELECT array_agg('node1 shape-' || g || ' created 12345 1') FROM generate_series(1, 32) g)) x;"
  printf '%s\n' 'COMMIT;' '\endpipeline'
} >"$work/batch.sql"
BODY="A benchmark comment about the article, long enough to look like one a reader of the news site wrote with something to say."
for _ in $(seq "$ROUNDS"); do
  for shape in perjob nosave batch; do
    t0=$(ticks)
    out=$("$PGBENCH" -M prepared -n -c1 -T "$DUR" -f "$work/$shape.sql" -D body="$BODY" \
      -D html="<p>$BODY</p>" -D mod='{"decision":"publish","reasons":[]}' "$U" 2>&1)
    t1=$(ticks)
    n=$(awk '/processed:/ {print $NF}' <<<"$out" | cut -d/ -f1)
    awk -v s="$shape" -v n="$n" -v dt=$((t1 - t0)) \
      'BEGIN { printf "%-7s groups=%d  PostgreSQL CPU %.1f us/comment\n", s, n, dt * 10000 / (n * 32) }'
  done
done
