#!/bin/sh
# tools/boundaries.sh: checks the module boundaries of src/ (make boundaries,
# part of make test; docs/ARCHITECTURE.md, "Module boundaries").
#
# Every folder of src/ is a module; `#include "MODULE/file.h"` is an edge from
# the including file's module to MODULE. Fails (exit 1, one line per fault) when
#   1. the modules' include graph has a cycle (a folder-level cycle),
#   2. src/server/ includes any module but store/ and util/ (a product module,
#      api, app, mail, import, or one the product uses, moderation, render):
#      the server is transport only and gets the product's handlers and hooks,
#      the moderation engine among the product's state, from src/main.c
#      (server_product in server/server.h),
#   3. a file includes another module's private header (*_int.h),
#   4. anything includes src/main.c's module ("main" is the top; nothing is
#      above it).
# Only quoted includes of src/ count; system headers are not looked at.
#
# With --known FILE, the faults listed in FILE (one line each, as this script
# prints them, without the "boundaries: " prefix) are reported but do not
# fail: the debt as it stands, so that no new fault comes in while it is paid
# off. A listed fault that is gone is reported too, so the list only shrinks.
# Usage: tools/boundaries.sh [--known FILE] [SRC_DIR] (default src).
set -eu
known=/dev/null
if [ "${1:-}" = "--known" ]; then
  known=$2
  shift 2
fi
src=${1:-src}
# What src/server/ may include besides itself.
SERVER_MAY="store util"

edges=$(mktemp)

# "FROM TO FILE HEADER" for every quoted include of another module.
find "$src" -name '*.[ch]' | sort | while read -r f; do
  rel=${f#"$src"/}
  case $rel in
    */*) from=${rel%%/*} ;;
    *) from=main ;;
  esac
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z0-9_]*\)\/\([^"]*\)".*/\1 \2/p' "$f" |
    while read -r to hdr; do
      [ -d "$src/$to" ] || continue
      [ "$to" = "$from" ] && continue
      echo "$from $to $rel $to/$hdr"
    done
done > "$edges"

found=$(mktemp)
trap 'rm -f "$edges" "$found"' EXIT
fault() { echo "$*" >> "$found"; }

# 2. The server includes only what transport needs.
awk -v may=" $SERVER_MAY " '$1 == "server" && index(may, " " $2 " ") == 0 { print $3 " includes " $4 " " $2 }' "$edges" > "$edges.srv"
while read -r file _ hdr p; do
  fault "src/$file includes $hdr: server/ is transport only and may include only store/ and util/, not $p/"
done < "$edges.srv"
rm -f "$edges.srv"

# 3. Private headers stay in their module.
awk '$4 ~ /_int\.h$/ { print "src/" $3 " includes " $4 }' "$edges" > "$edges.int"
while read -r line; do
  fault "$line: a *_int.h header is private to its own module"
done < "$edges.int"
rm -f "$edges.int"

# 4. Nothing includes main.
awk '$2 == "main" { print "src/" $3 }' "$edges" > "$edges.main"
while read -r line; do fault "$line includes src/main's module"; done < "$edges.main"
rm -f "$edges.main"

# 1. No cycle in the module graph: depth-first search over the distinct
# module edges; a back edge closes a cycle, printed as the path around it.
cycles=$(awk '{ print $1, $2 }' "$edges" | sort -u | awk '
  { adj[$1] = adj[$1] " " $2
    if (!($1 in seen)) { seen[$1] = 1; order[++nn] = $1 }
    if (!($2 in seen)) { seen[$2] = 1; order[++nn] = $2 } }
  function visit(n,    i, k, m, list) {
    state[n] = 1; stack[++depth] = n
    k = split(adj[n], list, " ")
    for (i = 1; i <= k; i++) {
      m = list[i]
      if (state[m] == 1) {
        path = m
        for (j = depth; j >= 1 && stack[j] != m; j--) path = stack[j] " -> " path
        print m " -> " path
      } else if (state[m] == 0) visit(m)
    }
    state[n] = 2; depth--
  }
  END { for (i = 1; i <= nn; i++) if (state[order[i]] == 0) visit(order[i]) }')
if [ -n "$cycles" ]; then
  echo "$cycles" | while read -r c; do echo "include cycle between modules: $c"; done >> "$found"
fi

new=0
while read -r line; do
  if grep -Fxq -- "$line" "$known"; then
    echo "boundaries: known: $line"
  else
    echo "boundaries: $line" >&2
    new=$((new + 1))
  fi
done < "$found"
gone=0
while read -r line; do
  case $line in '' | '#'*) continue ;; esac
  if ! grep -Fxq -- "$line" "$found"; then
    echo "boundaries: fixed (take it off $known): $line" >&2
    gone=$((gone + 1))
  fi
done < "$known"
nknown=$(($(wc -l < "$found") - new))
if [ "$new" -gt 0 ] || [ "$gone" -gt 0 ]; then
  echo "boundaries: $new new fault(s), $gone listed fault(s) gone, $nknown known; see docs/ARCHITECTURE.md, \"Module boundaries\"" >&2
  exit 1
fi
graph=$(awk '{ print $1, $2 }' "$edges" | sort -u | awk '
  $1 != prev { if (prev != "") print line; line = $1 " ->"; prev = $1 }
  { line = line " " $2 }
  END { if (prev != "") print line }')
if [ "$nknown" -gt 0 ]; then
  echo "boundaries: no new fault; $nknown known fault(s) left ($known)"
else
  echo "boundaries: no include cycle between the modules of $src/, server/ includes only store/ and util/, no private header crosses a module"
fi
echo "$graph" | sed 's/^/  /'
