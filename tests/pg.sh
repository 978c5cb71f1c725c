#!/bin/sh
# tests/pg.sh: run Parley's suites against a throwaway PostgreSQL cluster.
#
# Finds the Debian PostgreSQL binaries (/usr/lib/postgresql/*/bin, newest
# version), creates a cluster with initdb in a temporary directory, starts it
# on a free port on 127.0.0.1 (unix sockets in the same directory), and runs:
#   1. the store unit suites (build/asan/tests/store/test_store and
#      test_desk), each on a database of its own;
#   2. the API suite (tests/api/, node --test) with PARLEY_TEST_DB_URL set, so
#      tests/lib/server.mjs gives each server a fresh database of its own;
#   3. the two-node test (tests/multinode.test.mjs: two `parley serve` on one
#      database behind nginx).
# The cluster is stopped and the directory removed on every exit path.
# Exit status: non-zero when anything failed.
#
# `tests/pg.sh -- CMD ARGS...` runs CMD instead of the suites, with the
# cluster up and PARLEY_TEST_DB_URL naming a fresh database (for debugging
# and benchmarks).
#
# As root (CI), initdb and pg_ctl run as the `postgres` user, which owns the
# temporary directory; as anyone else they run as that user.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

pgbin=
for d in /usr/lib/postgresql/*/bin; do
    [ -x "$d/initdb" ] && pgbin=$d # the glob sorts, so the last is the newest
done
if [ -z "$pgbin" ]; then
    echo "pg.sh: no PostgreSQL found in /usr/lib/postgresql/*/bin (apt-get install postgresql)" >&2
    exit 1
fi
PATH="$pgbin:$PATH"
export PATH

tmp=$(mktemp -d /tmp/parley-pg-XXXXXX)
as_pg=
if [ "$(id -u)" = 0 ]; then
    chown postgres "$tmp"
    as_pg="runuser -u postgres --"
fi
data="$tmp/data"
started=0

cleanup() {
    status=$?
    if [ "$started" = 1 ]; then
        $as_pg "$pgbin/pg_ctl" stop -D "$data" -m fast -w >/dev/null 2>&1 ||
            $as_pg "$pgbin/pg_ctl" stop -D "$data" -m immediate -w >/dev/null 2>&1 || true
    fi
    rm -rf "$tmp"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free port: bind port 0 and read what the kernel chose.
port=$(node -e 'const s = require("net").createServer();
s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')

$as_pg "$pgbin/initdb" -D "$data" -U parley -A trust -E UTF8 --locale=C >"$tmp/initdb.log" 2>&1 || {
    cat "$tmp/initdb.log" >&2
    exit 1
}
# pg_ctl -w waits until the server accepts connections (or 60 s pass).
if ! $as_pg "$pgbin/pg_ctl" start -D "$data" -l "$tmp/server.log" -w -t 60 \
    -o "-p $port -k $tmp -c listen_addresses=127.0.0.1" >/dev/null; then
    cat "$tmp/server.log" >&2
    exit 1
fi
started=1
# Confirm readiness over TCP; each try waits up to 2 s for an answer.
tries=0
until pg_isready -q -h 127.0.0.1 -p "$port" -t 2; do
    tries=$((tries + 1))
    if [ "$tries" -ge 15 ]; then
        echo "pg.sh: PostgreSQL did not become ready" >&2
        cat "$tmp/server.log" >&2
        exit 1
    fi
done

base="postgres://parley@127.0.0.1:$port"
PARLEY_PG_BASE="$base"
export PARLEY_PG_BASE
newdb() { # newdb NAME: creates database NAME and prints its URL
    createdb -h 127.0.0.1 -p "$port" -U parley "$1" >&2
    echo "$base/$1"
}

if [ "${1-}" = "--" ]; then
    shift
    PARLEY_TEST_DB_URL=$(newdb parley) "$@"
    exit $?
fi

failed=0
# Each store suite on a database of its own (the desk suite compares counts
# as deltas, but a database of its own keeps the two independent).
for suite in test_store test_desk; do
    echo "== store suite $suite on PostgreSQL"
    url=$(newdb "$suite")
    if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 PARLEY_TEST_DB_URL=$url \
        "$root/build/asan/tests/store/$suite"; then
        failed=1
    fi
done

if [ -d "$root/tests/api" ]; then
    echo "== API suite on PostgreSQL"
    # server.mjs creates a fresh database per server from this one's URL.
    if ! (cd "$root/tests" && PARLEY_TEST_DB_URL=$(newdb api) PARLEY_BIN=../build/asan/parley \
        node --test --test-concurrency=1 api/); then
        failed=1
    fi
else
    echo "== API suite on PostgreSQL: no tests/api yet"
fi

if [ -f "$root/tests/multinode.test.mjs" ]; then
    echo "== two nodes on one PostgreSQL behind nginx"
    if ! (cd "$root/tests" && PARLEY_TEST_DB_URL=$(newdb multinode) \
        PARLEY_BIN=../build/asan/parley node --test multinode.test.mjs); then
        failed=1
    fi
fi

if [ "$failed" != 0 ]; then
    echo "pg.sh: FAILED (server log: see above)" >&2
    tail -n 30 "$tmp/server.log" >&2 || true
    exit 1
fi
echo "pg.sh: all PostgreSQL suites passed"
