#!/bin/sh
# bench/desk_people.sh: how fast the desk's people, articles, log, search and
# numbers pages answer on a database of 1,000,000 comments by 100,000 users on 10,000
# articles (issue 15), on SQLite or (PG=1) PostgreSQL.
#
# Seeds a fresh database directly with SQL (after `parley admin
# create-user` has created and migrated it): 100,000 readers (one in 500
# banned, the newest 2,000 made this week), 10,000 articles (one in 10
# premoderated), 1,000,000 comments (one in 25 pending, one in 50 rejected, a
# fifth of them replies), 30,000 flags, 50,000 log entries and 10,000 notes,
# and for the numbers 100,000 log entries of the engine's holds and refusals
# and 42,000 moderator decisions on them, spread over the 400 days;
# one article in ten belongs to a second site (sport) and one in a thousand
# to a third (rare), for the desk's pages by site;
# then ANALYZE and a WAL checkpoint. Starts the release server on it, logs in
# as a moderator and times each request 21 times, one at a time on a fresh
# connection (curl), printing the median and the worst. The admin's pages
# (settings, their previews, webhooks) are timed as an admin made on the
# copy being served (admin@example.com, never in a kept seed); PUT
# /mod/settings changes state: it is timed last, alternating a setting
# between two values, and the setting is given back after.
# Usage: sh bench/desk_people.sh  (PARLEY_BIN picks the binary; KEEP=1 keeps
# the database directory; ONLY=WORDS times only the requests whose name holds
# them, e.g. ONLY=numbers, or one of several, ONLY='numbers,counts'). With BIN2 set, the same requests are then timed
# against that binary on the same database, after it has applied any
# migration it adds (the time to its "listening" line is printed), so two
# builds compare side by side in one run. SEED=FILE copies FILE (a database
# this script seeded, kept with KEEP=1 as DIR/seed.db before any server
# opened it) instead of seeding a new one.
#
# PG=1: the same seed, the same requests on PostgreSQL. A throwaway cluster is
# made as tests/pg.sh makes its own (initdb in the bench directory, as the
# postgres user when run as root, a free port on 127.0.0.1, its sockets in
# that directory) and stopped on every exit path. The rows go in through psql
# with the triggers held off (session_replication_role): the migrations from
# the numbers' summary tables on (PostgreSQL 18) are undone first, as
# tests/api/desk_stats_rollup.test.mjs does, and PARLEY_BIN's first start on
# the seeded database makes them again from its rows (the time is printed);
# then VACUUM ANALYZE. The seeded database is `seed`; each run reads a copy
# of it (CREATE DATABASE bench TEMPLATE seed), so with KEEP=1 the directory
# can be given again as SEED=DIR (its cluster is started again, and `seed`
# copied; the seed must come from PARLEY_BIN's version or an older one).
# PG_OPTS adds server options (e.g. "-c shared_preload_libraries=auto_explain
# -c auto_explain.log_min_duration=20" logs the plans of slow statements in
# DIR/pg/server.log).
set -eu
. "$(dirname "$0")/lib.sh"
BIN=${PARLEY_BIN:-build/parley}
DIR=$(mktemp -d /tmp/parley-bench-people.XXXXXX)
DB="$DIR/bench.db"
PID=0
PG_UP=""
cleanup() {
  status=$?
  [ "$PID" = 0 ] || kill "$PID" 2>/dev/null || true # never kill 0: the process group
  if [ -n "$PG_UP" ]; then
    $as_pg "$pgbin/pg_ctl" stop -D "$PG_UP" -m fast -w >/dev/null 2>&1 ||
      $as_pg "$pgbin/pg_ctl" stop -D "$PG_UP" -m immediate -w >/dev/null 2>&1 || true
  fi
  if [ -n "${KEEP:-}" ]; then echo "kept: $DIR"; else rm -rf "$DIR"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

NOW=$(($(date +%s) * 1000))
start=$(date +%s)
if [ -n "${PG:-}" ]; then
  # A cluster as tests/pg.sh makes one.
  pgbin=
  for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && pgbin=$d
  done
  [ -n "$pgbin" ] || { echo "no PostgreSQL in /usr/lib/postgresql/*/bin" >&2; exit 1; }
  PATH="$pgbin:$PATH"
  as_pg=
  PGHOME=${SEED:-$DIR}/pg
  if [ -z "${SEED:-}" ]; then
    mkdir "$PGHOME"
    if [ "$(id -u)" = 0 ]; then chmod 755 "$DIR"; chown postgres "$PGHOME"; fi
  fi
  [ "$(id -u)" != 0 ] || as_pg="runuser -u postgres --"
  port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')
  if [ -z "${SEED:-}" ]; then
    $as_pg "$pgbin/initdb" -D "$PGHOME/data" -U parley -A trust -E UTF8 --locale=C \
      >"$PGHOME/initdb.log" 2>&1 || { cat "$PGHOME/initdb.log" >&2; exit 1; }
  fi
  $as_pg "$pgbin/pg_ctl" start -D "$PGHOME/data" -l "$PGHOME/server.log" -w -t 120 \
    -o "-p $port -k $PGHOME -c listen_addresses=127.0.0.1 -c fsync=off ${PG_OPTS:-}" >/dev/null ||
    { cat "$PGHOME/server.log" >&2; exit 1; }
  PG_UP="$PGHOME/data"
  until pg_isready -q -h 127.0.0.1 -p "$port" -t 2; do sleep 0.2; done
  PGURL="postgres://parley@127.0.0.1:$port"
  psql_on() { db=$1; shift; psql -X -q -v ON_ERROR_STOP=1 -d "$PGURL/$db" "$@"; }
  DBURL="$PGURL/bench"
else
  DBURL="sqlite:$DB"
fi

if [ -n "${PG:-}" ] && [ -z "${SEED:-}" ]; then
createdb -h 127.0.0.1 -p "$port" -U parley seed
printf 'correct horse battery\n' | "$BIN" admin create-user --db "$PGURL/seed" \
  --email mod@example.com --name 'Mona Moderator' --role moderator >/dev/null
# As bench/desk_people.sh's SQLite seed below, in PostgreSQL's words (bigint
# products; booleans); the summary tables and the migrations after them are
# made again from these rows by the server's first start.
SITE_OF_X="CASE WHEN x % 10 = 3 THEN '2/' WHEN x % 1000 = 7 THEN '3/' ELSE '' END"
psql_on seed <<SQL
DROP TABLE site_settings;
DROP TABLE stats_daily, stats_span, stats_decision, stats_engine, stats_flags CASCADE;
DROP FUNCTION stats_comments_changed, stats_decisions_changed, stats_flags_changed,
  stats_modlog_changed, stats_span_changed, stats_engine_changed, stats_span_refresh,
  stats_decision_refresh, stats_engine_refresh, stats_verdict, stats_add, stats_site CASCADE;
DROP INDEX modlog_site; ALTER TABLE modlog DROP COLUMN site; DROP TABLE site_moderators;
DROP INDEX IF EXISTS comments_site_range; DROP INDEX users_role;
DROP INDEX IF EXISTS users_name_trgm; DROP INDEX IF EXISTS users_email_trgm;
DROP INDEX IF EXISTS comments_author_article;
DELETE FROM schema_version WHERE version >= 18;
DROP INDEX comments_words;
SET session_replication_role = replica;
BEGIN;
INSERT INTO sites (id, slug, name, origins, created_at)
  VALUES (2, 'sport', 'Sport', '', $NOW), (3, 'rare', 'Rare', '', $NOW);
SELECT setval(pg_get_serial_sequence('sites', 'id'), 3);
INSERT INTO users (email, name, pw_hash, role, created_at, banned, banned_until, ban_reason)
  SELECT 'reader' || x || '@example.com', 'Reader ' || x, '', 0,
         CASE WHEN x > 98000 THEN $NOW - (100000 - x) * 60000
              ELSE $NOW - 86400000::bigint * 400 + x * 60000 END,
         x % 500 = 0, 0, CASE WHEN x % 500 = 0 THEN 'spam' END
  FROM generate_series(1::bigint, 100000) x ORDER BY x;
INSERT INTO articles (id, title, url, status, created_at)
  SELECT $SITE_OF_X || 'story-' || x, 'Story number ' || x || ' about the city',
         'https://news.example/' || x, CASE WHEN x % 10 = 0 THEN 1 ELSE 0 END,
         $NOW - 86400000::bigint * 400 + x * 3000000
  FROM generate_series(0::bigint, 9999) x;
INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation,
                      status, created_at)
  SELECT x, CASE WHEN a % 10 = 3 THEN '2/' WHEN a % 1000 = 7 THEN '3/' ELSE '' END
            || 'story-' || a,
         CASE WHEN x % 5 = 1 AND x > 1 THEN x - 1 END,
         CASE WHEN x % 5 = 1 AND x > 1 THEN x - 1 ELSE x END,
         2 + (x * 7919) % 100000,
         'Comment number ' || x || ' with some words about the story, the council and the weather.',
         '<p>Comment number ' || x || ' with some words about the story.</p>',
         '{"decision":"publish","reasons":[],"scores":{"offensive":0.02}}',
         CASE WHEN x % 25 = 0 THEN 1 WHEN x % 50 = 1 THEN 2 ELSE 0 END,
         $NOW - 86400000::bigint * 400 + x * 30000
  FROM generate_series(1::bigint, 1000000) x, LATERAL (SELECT (x - 1) / 100 AS a) s;
SELECT setval(pg_get_serial_sequence('comments', 'id'), 1000000);
INSERT INTO flags (comment_id, user_id, reason, note, created_at, reviewed, outcome)
  SELECT x * 33 + 2, 2 + (x * 104729) % 100000, 'personal_attack', 'note ' || x,
         $NOW - 86400000 + x, x % 3 <> 0, CASE WHEN x % 3 = 0 THEN 0 ELSE 1 + x % 2 END
  FROM generate_series(0::bigint, 29999) x ORDER BY x;
INSERT INTO modlog (at, actor_id, action, target_type, target_id, reason)
  SELECT $NOW - 86400000 + x, CASE WHEN x % 2 = 0 THEN 1 END,
         CASE x % 4 WHEN 0 THEN 'approve' WHEN 1 THEN 'auto_hold' WHEN 2 THEN 'reject' ELSE 'ban' END,
         CASE WHEN x % 4 = 3 THEN 'user' ELSE 'comment' END,
         CASE WHEN x % 4 = 3 THEN CAST(2 + x % 100000 AS TEXT) ELSE CAST(1 + x * 19 AS TEXT) END,
         'reason ' || x FROM generate_series(0::bigint, 49999) x ORDER BY x;
INSERT INTO modlog (at, actor_id, action, target_type, target_id, reason)
  SELECT created_at, NULL, CASE WHEN id % 50 = 1 THEN 'auto_reject' ELSE 'auto_hold' END, 'comment',
         CAST(id AS TEXT), 'personal_attack'
  FROM comments WHERE id % 25 IN (0, 5) OR id % 50 = 1 ORDER BY id;
UPDATE comments SET status = 2 WHERE id % 100 = 30;
INSERT INTO decisions (comment_id, actor_id, at, action, prev_status, prev_featured)
  SELECT id, 1, created_at + (id % 7200) * 1000,
         CASE WHEN id % 100 = 30 THEN 'reject' ELSE 'approve' END, 1, false
  FROM comments WHERE id % 25 = 5 ORDER BY id;
INSERT INTO decisions (comment_id, actor_id, at, action, prev_status, prev_featured)
  SELECT id, 1, created_at + 86400000, 'approve', 2, false FROM comments WHERE id % 500 = 1
  ORDER BY id;
UPDATE comments SET status = 0 WHERE id % 500 = 1;
INSERT INTO user_notes (user_id, author_id, body, created_at)
  SELECT 2 + (x * 7) % 100000, 1, 'Note ' || x, $NOW - x FROM generate_series(0::bigint, 9999) x
  ORDER BY x;
UPDATE articles a SET comment_count = c.n
  FROM (SELECT article_id, count(*) AS n FROM comments WHERE status = 0 GROUP BY 1) c
  WHERE a.id = c.article_id;
COMMIT;
SET session_replication_role = origin;
SET maintenance_work_mem = '512MB';
CREATE INDEX comments_words ON comments USING gin (to_tsvector('simple', body));
VACUUM ANALYZE;
SQL
# The server's first start makes the summary tables (and the rest) again.
DBURL="$PGURL/seed" # serve() reads it
fi

if [ -n "${PG:-}" ]; then
:
elif [ -n "${SEED:-}" ]; then
  cp "$SEED" "$DB"
else
printf 'correct horse battery\n' | "$BIN" admin create-user --db "sqlite:$DB" \
  --email mod@example.com --name 'Mona Moderator' --role moderator >/dev/null

NOW=$(($(date +%s) * 1000))
# Three sites (docs/SITES.md): one article in ten is the sport site's
# (100,000 comments), one in a thousand the rare site's (1,000 comments).
SITE_OF_X="CASE WHEN x % 10 = 3 THEN '2/' WHEN x % 1000 = 7 THEN '3/' ELSE '' END"
start=$(date +%s)
sqlite3 "$DB" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = OFF;
BEGIN;
INSERT INTO sites (id, slug, name, origins, created_at)
  VALUES (2, 'sport', 'Sport', '', $NOW), (3, 'rare', 'Rare', '', $NOW);
-- Readers 2..100001, one a minute; the newest 2,000 within the last week.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000)
INSERT INTO users (email, name, pw_hash, role, created_at, banned, banned_until, ban_reason)
  SELECT 'reader' || x || '@example.com', 'Reader ' || x, '', 0,
         CASE WHEN x > 98000 THEN $NOW - (100000 - x) * 60000
              ELSE $NOW - 86400000 * 400 + x * 60000 END,
         x % 500 = 0, 0, CASE WHEN x % 500 = 0 THEN 'spam' END FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 9999)
INSERT INTO articles (id, title, url, status, created_at)
  SELECT $SITE_OF_X || 'story-' || x, 'Story number ' || x || ' about the city', 'https://news.example/' || x,
         CASE WHEN x % 10 = 0 THEN 1 ELSE 0 END, $NOW - 86400000 * 400 + x * 3000000 FROM n;
-- 1,000,000 comments, a hundred per article; those at x % 5 = 1 reply to the one before.
WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 1000000)
INSERT INTO comments (id, article_id, parent_id, root_id, author_id, body, html, moderation,
                      status, created_at)
  SELECT x, (SELECT CASE WHEN a % 10 = 3 THEN '2/' WHEN a % 1000 = 7 THEN '3/' ELSE '' END
             FROM (SELECT (x - 1) / 100 AS a)) || 'story-' || ((x - 1) / 100),
         CASE WHEN x % 5 = 1 AND x > 1 THEN x - 1 END,
         CASE WHEN x % 5 = 1 AND x > 1 THEN x - 1 ELSE x END,
         2 + (x * 7919) % 100000,
         'Comment number ' || x || ' with some words about the story, the council and the weather.',
         '<p>Comment number ' || x || ' with some words about the story.</p>',
         '{"decision":"publish","reasons":[],"scores":{"offensive":0.02}}',
         CASE WHEN x % 25 = 0 THEN 1 WHEN x % 50 = 1 THEN 2 ELSE 0 END,
         $NOW - 86400000 * 400 + x * 30000
  FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 29999)
INSERT INTO flags (comment_id, user_id, reason, note, created_at, reviewed, outcome)
  SELECT x * 33 + 2, 2 + (x * 104729) % 100000, 'personal_attack', 'note ' || x,
         $NOW - 86400000 + x, x % 3 <> 0, CASE WHEN x % 3 = 0 THEN 0 ELSE 1 + x % 2 END FROM n;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 49999)
INSERT INTO modlog (at, actor_id, action, target_type, target_id, reason)
  SELECT $NOW - 86400000 + x, CASE WHEN x % 2 = 0 THEN 1 END,
         CASE x % 4 WHEN 0 THEN 'approve' WHEN 1 THEN 'auto_hold' WHEN 2 THEN 'reject' ELSE 'ban' END,
         CASE WHEN x % 4 = 3 THEN 'user' ELSE 'comment' END,
         CASE WHEN x % 4 = 3 THEN CAST(2 + x % 100000 AS TEXT) ELSE CAST(1 + x * 19 AS TEXT) END,
         'reason ' || x FROM n;
-- The engine's decisions and the moderators' verdicts over the 400 days, for
-- the numbers: every pending comment (x % 25 = 0) was held; one in 25 more
-- (x % 25 = 5) was held and decided within two hours (three approved, one
-- rejected in four); every refused one (x % 50 = 1) has its auto_reject, and
-- one in ten of those was approved a day later.
INSERT INTO modlog (at, actor_id, action, target_type, target_id, reason)
  SELECT created_at, NULL, CASE WHEN id % 50 = 1 THEN 'auto_reject' ELSE 'auto_hold' END, 'comment',
         CAST(id AS TEXT), 'personal_attack'
  FROM comments WHERE id % 25 IN (0, 5) OR id % 50 = 1;
UPDATE comments SET status = 2 WHERE id % 100 = 30;
INSERT INTO decisions (comment_id, actor_id, at, action, prev_status, prev_featured)
  SELECT id, 1, created_at + (id % 7200) * 1000,
         CASE WHEN id % 100 = 30 THEN 'reject' ELSE 'approve' END, 1, 0
  FROM comments WHERE id % 25 = 5;
INSERT INTO decisions (comment_id, actor_id, at, action, prev_status, prev_featured)
  SELECT id, 1, created_at + 86400000, 'approve', 2, 0 FROM comments WHERE id % 500 = 1;
UPDATE comments SET status = 0 WHERE id % 500 = 1;
WITH RECURSIVE n(x) AS (SELECT 0 UNION ALL SELECT x + 1 FROM n WHERE x < 9999)
INSERT INTO user_notes (user_id, author_id, body, created_at)
  SELECT 2 + (x * 7) % 100000, 1, 'Note ' || x, $NOW - x FROM n;
COMMIT;
ANALYZE;
PRAGMA wal_checkpoint(TRUNCATE);
SQL
# A binary with the site of each log entry (SQLite migration 18) made the
# column before the rows above came in: fill it as the migration does.
if sqlite3 "$DB" "SELECT 1 FROM pragma_table_info('modlog') WHERE name = 'site'" | grep -q 1; then
sqlite3 "$DB" <<'SQL'
DROP TRIGGER modlog_no_update;
UPDATE modlog SET site = CASE target_type
  WHEN 'comment' THEN (SELECT CASE WHEN instr(c.article_id, '/') > 0
    THEN CAST(substr(c.article_id, 1, instr(c.article_id, '/') - 1) AS INTEGER) ELSE 1 END
    FROM comments c WHERE c.id = CAST(modlog.target_id AS INTEGER)) END;
CREATE TRIGGER modlog_no_update BEFORE UPDATE ON modlog
  BEGIN SELECT RAISE(ABORT, 'modlog is append-only'); END;
ANALYZE;
SQL
fi
fi
if [ -n "${SEED:-}" ]; then what="copied from $SEED"; else what="seeded in $(( $(date +%s) - start )) s"; fi
if [ -n "${PG:-}" ]; then
  count() { psql -X -A -t -d "$PGURL/seed" -c "SELECT count(*) FROM $1"; }
  echo "$what (PostgreSQL $(psql -X -A -t -d "$PGURL/seed" -c 'SHOW server_version')):" \
    "$(count comments) comments, $(count users) users, $(count articles) articles," \
    "$(psql -X -A -t -d "$PGURL/seed" -c "SELECT pg_database_size('seed') / 1048576") MB"
else
  [ -z "${KEEP:-}" ] || [ -n "${SEED:-}" ] || { cp "$DB" "$DIR/seed.db"; echo "seed kept: $DIR/seed.db"; }
  echo "$what: $(sqlite3 "$DB" 'SELECT count(*) FROM comments') comments," \
    "$(sqlite3 "$DB" 'SELECT count(*) FROM users') users, $(sqlite3 "$DB" 'SELECT count(*) FROM articles') articles," \
    "$(du -m "$DB" | cut -f1) MB"
fi

# The admin for the settings pages, on the copy being served (not the seed).
add_admin() {
  printf 'correct horse battery\n' | "$BIN" admin create-user --db "$DBURL" \
    --email admin@example.com --name 'Ada Admin' --role admin >/dev/null
}
# The heaviest author: the most comments, then the most flags on them (the
# seed gives every reader 10 comments, so this is the first of the readers
# with the most flags on theirs).
HEAVY_SQL="SELECT c.author_id FROM comments c LEFT JOIN flags f ON f.comment_id = c.id
  GROUP BY c.author_id ORDER BY count(*) DESC, count(f.comment_id) DESC, c.author_id LIMIT 1"
# The person with the most comments on a site (SITE_PREFIX: '2/' sport, '3/'
# rare), for their page by site.
site_heavy_sql() {
  echo "SELECT author_id FROM comments WHERE article_id LIKE '$1%'
  GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT 1"
}

serve() {
  t0=$(date +%s%N)
  rm -f "$DIR/log" # not the last server's listening line
  "$1" serve --listen 127.0.0.1:0 --db "$DBURL" --rate-limit off 2>"$DIR/log" &
  PID=$!
  bench_wait_listening "$DIR/log" "$PID" 20000
  echo "$1: listening after $(( ($(date +%s%N) - t0) / 1000000 )) ms (migrations included)"
  [ "${2:-}" != nologin ] || return 0 # the seed's first start: no admin there yet
  bench_login "$URL" mod@example.com 'correct horse battery'
  MOD_COOKIE=$COOKIE
  bench_login "$URL" admin@example.com 'correct horse battery'
  ADMIN_COOKIE=$COOKIE
  COOKIE=$MOD_COOKIE
}

stop() {
  kill "$PID"; wait "$PID" 2>/dev/null || true
  PID=0
}

if [ -n "${PG:-}" ]; then
  if [ -z "${SEED:-}" ]; then
    # The first start on the seeded rows makes the summary tables.
    echo "seed's migrations:"
    serve "$BIN" nologin
    stop
    psql_on seed -c 'VACUUM ANALYZE' >/dev/null
  fi
  dropdb --if-exists -h 127.0.0.1 -p "$port" -U parley bench
  createdb -h 127.0.0.1 -p "$port" -U parley -T seed bench
  DBURL="$PGURL/bench"
  add_admin
  HEAVY=$(psql -X -A -t -d "$DBURL" -c "$HEAVY_SQL")
  HEAVY_SPORT=$(psql -X -A -t -d "$DBURL" -c "$(site_heavy_sql 2/)")
  HEAVY_RARE=$(psql -X -A -t -d "$DBURL" -c "$(site_heavy_sql 3/)")
else
  add_admin
  HEAVY=$(sqlite3 "$DB" "$HEAVY_SQL")
  HEAVY_SPORT=$(sqlite3 "$DB" "$(site_heavy_sql 2/)")
  HEAVY_RARE=$(sqlite3 "$DB" "$(site_heavy_sql 3/)")
fi

measure() {
  name=$1; path=$2
  hit=0
  for w in $(echo "${ONLY:-}" | tr ',' '\n' | sed 's/ /%/g'); do
    case "$name" in *"$(echo "$w" | tr '%' ' ')"*) hit=1 ;; esac
  done
  [ -z "${ONLY:-}" ] || [ "$hit" = 1 ] || return 0
  # METHOD and BODY (a file) for a POST; as=admin for the admin's pages.
  method=${3:-GET}; body=${4:-}
  cookie=$COOKIE; [ "${5:-}" != admin ] || cookie=$ADMIN_COOKIE
  set -- -s -X "$method" -H "Cookie: $cookie"
  [ -z "$body" ] || set -- "$@" -H 'content-type: application/json' --data-binary "@$body"
  code=$(curl "$@" -o "$DIR/out" -w '%{http_code}' "$URL$path")
  times=$(for _ in $(seq 21); do
    curl "$@" -o /dev/null -w '%{time_total}\n' "$URL$path"; done | sort -n)
  med=$(echo "$times" | sed -n 11p); max=$(echo "$times" | tail -1)
  printf '| %s | %s | %s | %s ms | %s ms |\n' "$name" "$code" "$(wc -c <"$DIR/out")" \
    "$(echo "$med * 1000" | bc | xargs printf '%.1f')" "$(echo "$max * 1000" | bc | xargs printf '%.1f')"
}

# measure_put NAME: PUT /mod/settings 21 times as the admin, flag_threshold
# set to 7 and 8 in turn (each a change, each with the version the last
# answered), then given back as it was (its value if overridden, else null).
measure_put() {
  name=$1
  hit=0
  for w in $(echo "${ONLY:-}" | tr ',' '\n' | sed 's/ /%/g'); do
    case "$name" in *"$(echo "$w" | tr '%' ' ')"*) hit=1 ;; esac
  done
  [ -z "${ONLY:-}" ] || [ "$hit" = 1 ] || return 0
  curl -s -H "Cookie: $ADMIN_COOKIE" "$URL/api/v1/mod/settings" >"$DIR/settings.json"
  before=$(node -e 'const j = JSON.parse(require("fs").readFileSync(process.argv[1]));
const s = j.settings.find((x) => x.name === "flag_threshold");
console.log(s.overridden ? JSON.stringify(s.value) : "null");' "$DIR/settings.json")
  v=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1])).version)' \
    "$DIR/settings.json")
  put() { # VALUE: sets code, t and v
    printf '{"version":%s,"settings":{"flag_threshold":%s}}' "$v" "$1" >"$DIR/put.json"
    r=$(curl -s -X PUT -H "Cookie: $ADMIN_COOKIE" -H 'content-type: application/json' \
      --data-binary "@$DIR/put.json" -o "$DIR/out" -w '%{http_code} %{time_total}' \
      "$URL/api/v1/mod/settings")
    code=${r% *}; t=${r#* }
    v=$(sed -n 's/^{"version":\([0-9]*\).*/\1/p' "$DIR/out")
    if [ "$code" != 200 ] || [ -z "$v" ]; then
      echo "PUT /mod/settings: $code $(cat "$DIR/out")" >&2
      exit 1
    fi
  }
  : >"$DIR/times"
  for i in $(seq 21); do put $((7 + i % 2)); echo "$t" >>"$DIR/times"; done
  times=$(sort -n "$DIR/times")
  put "$before"
  med=$(echo "$times" | sed -n 11p); max=$(echo "$times" | tail -1)
  printf '| %s | %s | %s | %s ms | %s ms |\n' "$name" "$code" "$(wc -c <"$DIR/out")" \
    "$(echo "$med * 1000" | bc | xargs printf '%.1f')" "$(echo "$max * 1000" | bc | xargs printf '%.1f')"
}

run_all() {
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| request | status | bytes | median | worst |"
echo "|---|---:|---:|---:|---:|"
measure "people, first page (50)" "/api/v1/mod/users"
measure "people, search by name (q=Reader 4242)" "/api/v1/mod/users?q=Reader%204242"
measure "people, search by address (q=reader77@)" "/api/v1/mod/users?q=reader77%40"
measure "people, search with no match" "/api/v1/mod/users?q=nobody-at-all"
measure "people, banned" "/api/v1/mod/users?banned=true"
measure "people, new" "/api/v1/mod/users?new=true"
measure "people, moderators" "/api/v1/mod/users?role=moderator"
measure "people, page 100 (before=95000)" "/api/v1/mod/users?before=95000"
measure "a user's page (reader 4242)" "/api/v1/mod/users/4243"
measure "articles, first page (50)" "/api/v1/mod/articles"
measure "articles, premoderated" "/api/v1/mod/articles?status=premoderated"
measure "articles, search (q=number 777)" "/api/v1/mod/articles?q=number%20777"
measure "log, first page (100)" "/api/v1/mod/log"
measure "log, moderator by name" "/api/v1/mod/log?moderator=Mona%20Moderator"
measure "log, author by name" "/api/v1/mod/log?author=Reader%204242"
measure "queue, pending (50)" "/api/v1/mod/queue?queue=pending&limit=50"
measure "counts" "/api/v1/mod/counts"
measure "search, newest comments (50)" "/api/v1/mod/search"
measure "search, two common words (q=council weather)" "/api/v1/mod/search?q=council%20weather"
measure "search, a rare word (q=424242)" "/api/v1/mod/search?q=424242"
measure "search, no match (q=xylophone)" "/api/v1/mod/search?q=xylophone"
measure "search, author alone (author=4243)" "/api/v1/mod/search?author=4243"
measure "search, common word by an author" "/api/v1/mod/search?q=council&author=4243"
measure "search, article alone (article=story-777)" "/api/v1/mod/search?article=story-777"
measure "search, pending" "/api/v1/mod/search?status=pending"
# By site (docs/SITES.md): sport holds a tenth of the comments, rare a thousandth.
for site in sport rare; do
  measure "$site site: queue, pending (50)" "/api/v1/mod/queue?queue=pending&limit=50&site=$site"
  measure "$site site: queue, flagged (50)" "/api/v1/mod/queue?queue=flagged&limit=50&site=$site"
  measure "$site site: queue, rejected (50)" "/api/v1/mod/queue?queue=rejected&limit=50&site=$site"
  measure "$site site: counts" "/api/v1/mod/counts?site=$site"
  measure "$site site: articles" "/api/v1/mod/articles?site=$site"
  measure "$site site: log, first page (100)" "/api/v1/mod/log?site=$site"
  measure "$site site: log, author by name" "/api/v1/mod/log?author=Reader%204242&site=$site"
  measure "$site site: people, first page (50)" "/api/v1/mod/users?site=$site"
  measure "$site site: people, search by name (q=Reader 4242)" "/api/v1/mod/users?q=Reader%204242&site=$site"
  measure "$site site: search, newest comments (50)" "/api/v1/mod/search?site=$site"
  measure "$site site: search, two common words" "/api/v1/mod/search?q=council%20weather&site=$site"
  measure "$site site: search, pending" "/api/v1/mod/search?status=pending&site=$site"
  measure "$site site: search, a common word, pending" "/api/v1/mod/search?q=council&status=pending&site=$site"
  measure "$site site: search, no match" "/api/v1/mod/search?q=xylophone&site=$site"
done
# The seeded comments end 53 days ago: the default range sees only the log's
# and the flags' last day, the busy one 86,400 comments.
measure "numbers, the last 30 days (the default)" "/api/v1/mod/stats"
busy="from=$(date -u -d '84 days ago' +%F)&to=$(date -u -d '55 days ago' +%F)"
measure "numbers, a busy 30 days" "/api/v1/mod/stats?$busy"
measure "numbers, a busy 30 days as CSV" "/api/v1/mod/stats?$busy&format=csv"
measure "numbers, 365 days" "/api/v1/mod/stats?from=$(date -u -d '364 days ago' +%F)"
# The numbers by site (the summary tables keep each comment's site since
# SQLite migration 21; a binary before it ignores site= and answers every
# site's numbers).
for site in sport rare; do
  measure "$site site: numbers, the last 30 days" "/api/v1/mod/stats?site=$site"
  measure "$site site: numbers, a busy 30 days" "/api/v1/mod/stats?$busy&site=$site"
  measure "$site site: numbers, 365 days" "/api/v1/mod/stats?from=$(date -u -d '364 days ago' +%F)&site=$site"
done
# Rows first timed on 1,000,000 comments in the fourth pass (issue 15).
measure "every site: queue, flagged (50)" "/api/v1/mod/queue?queue=flagged&limit=50"
measure "every site: queue, rejected (50)" "/api/v1/mod/queue?queue=rejected&limit=50"
measure "log, by article (story-777)" "/api/v1/mod/log?article=story-777"
measure "log, by action (reject)" "/api/v1/mod/log?action=reject"
measure "log, by action (ban)" "/api/v1/mod/log?action=ban"
measure "log, by action (setting, none in the seed)" "/api/v1/mod/log?action=setting"
measure "sport site: a user's page (reader 4242)" "/api/v1/mod/users/4243?site=sport"
measure "sport site: a user's page, its heaviest author ($HEAVY_SPORT)" \
  "/api/v1/mod/users/$HEAVY_SPORT?site=sport"
measure "rare site: a user's page, its heaviest author ($HEAVY_RARE)" \
  "/api/v1/mod/users/$HEAVY_RARE?site=rare"
measure "a user's page, the heaviest author ($HEAVY)" "/api/v1/mod/users/$HEAVY"
measure "search, rejected" "/api/v1/mod/search?status=rejected"
measure "search, hidden" "/api/v1/mod/search?status=hidden"
measure "numbers, 365 days as CSV" \
  "/api/v1/mod/stats?from=$(date -u -d '364 days ago' +%F)&format=csv"
measure "sites" "/api/v1/mod/sites"
measure "settings" "/api/v1/mod/settings" GET "" admin
measure "webhooks" "/api/v1/mod/webhooks" GET "" admin
printf '{"settings":{"words.block":["weather","council budget"]}}' >"$DIR/preview.json"
measure "settings, preview of blocked words (1,000 newest)" "/api/v1/mod/settings/preview" \
  POST "$DIR/preview.json" admin
# The same on one comment: the two engines' building alone.
measure "settings, preview of blocked words (limit=1)" "/api/v1/mod/settings/preview?limit=1" \
  POST "$DIR/preview.json" admin
printf '{"settings":{"moderation.hold_at":0.5}}' >"$DIR/preview2.json"
measure "settings, preview of the engine's hold_at (1,000 newest)" "/api/v1/mod/settings/preview" \
  POST "$DIR/preview2.json" admin
# Guidelines of about 45 KB (the limit is 50,000 characters): headings,
# lists, links, emphasis.
for i in $(seq 350); do
  printf '## Rule %s\n\nBe *kind* to the other readers; see [the FAQ](https://news.example/faq).\n\n- no insults\n- no spam, no **advertising**\n\n' "$i"
done | node -e 'let s = ""; process.stdin.on("data", (d) => { s += d; });
process.stdin.on("end", () => { process.stdout.write(JSON.stringify({ markdown: s })); });' \
  >"$DIR/page.json"
measure "pages, preview (45 KB of Markdown)" "/api/v1/mod/pages/preview" POST "$DIR/page.json" admin
# A state change: last, and given back (it adds 22 "setting" entries to the log).
measure_put "settings, save (PUT, a change each time)"
}

serve "$BIN"
run_all
if [ -n "${BIN2:-}" ]; then
  stop
  serve "$BIN2"
  [ -z "${PG:-}" ] || psql_on bench -c 'ANALYZE' >/dev/null # what BIN2's migration made
  run_all
fi
stop
[ -z "${PG:-}" ] || [ -z "${SEED:-}" ] || dropdb -h 127.0.0.1 -p "$port" -U parley bench
