# bench/lib.sh: what the benchmark scripts share. Sourced (`. bench/lib.sh`
# after `cd` to the repository's root), POSIX sh, so that both the sh and
# the bash scripts can use it.

# bench_workdir: a temporary directory in $work, removed on exit together
# with every process given to bench_track (killed, then waited for).
bench_workdir() {
  work=$(mktemp -d)
  bench_pids=""
  trap bench_cleanup EXIT
}
bench_track() { bench_pids="$bench_pids $1"; }
bench_cleanup() {
  for p in $bench_pids; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}

# bench_free_port: a TCP port on 127.0.0.1 that nobody listens on now.
bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_wait_listening LOG PID TRIES: waits (0.05 s per try) for the
# server's "msg=listening" log line and sets URL to the address it gives;
# prints the log and exits 1 if the server died or TRIES ran out.
bench_wait_listening() {
  _i=0
  while ! grep -q 'msg=listening' "$1"; do
    _i=$((_i + 1))
    if [ "$_i" -ge "$3" ] || ! kill -0 "$2" 2>/dev/null; then cat "$1"; exit 1; fi
    sleep 0.05
  done
  URL=$(sed -n 's/.*msg=listening url=\([^ ]*\).*/\1/p' "$1" | head -1)
}

# bench_login URL EMAIL PASSWORD: sets COOKIE to the session cookie of a
# login (parley_session=...); exits 1 if the login failed.
bench_login() {
  COOKIE=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
    -d "{\"email\":\"$2\",\"password\":\"$3\"}" "$1/api/v1/auth/login" |
    sed -n 's/^[Ss]et-[Cc]ookie: \(parley_session=[^;]*\).*/\1/p')
  [ -n "$COOKIE" ] || { echo "login failed" >&2; exit 1; }
}

# bench_seed_thread URL JAR ARTICLE: registers "Bench Reader" (cookies in
# JAR) and posts 100 top-level comments of about 200 bytes of Markdown each
# to ARTICLE, one after another.
bench_seed_thread() {
  curl -sf -c "$2" -H 'content-type: application/json' \
    -d '{"name":"Bench Reader","email":"bench@example.com","password":"benchmark-pass"}' \
    "$1/api/v1/auth/register" >/dev/null
  for i in $(seq 100); do
    curl -sf -b "$2" -H 'content-type: application/json' \
      -d "{\"body\":\"Comment $i: the council's *budget* plan moves money from roads to schools; the vote is next week and residents can speak at the hearing. More at https://example.com/news/$i\"}" \
      "$1/api/v1/articles/$3/comments" >/dev/null
  done
}
