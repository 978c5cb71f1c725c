#!/bin/sh
# bench/soak.sh [MINUTES]: the soak of bench/soak.mjs (mixed load, hostile
# clients and kill -9 of the server, then every acknowledged write checked),
# on loopback, against build/parley. Default 20 minutes. Results go to
# bench/RESULTS.md by hand, with the date and the machine.
set -e
cd "$(dirname "$0")/.."
make -s build/parley
command -v sqlite3 >/dev/null || { echo "soak: needs sqlite3" >&2; exit 2; }
ulimit -n 65536 2>/dev/null || true
exec node bench/soak.mjs "${1:-20}"
