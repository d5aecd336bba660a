#!/usr/bin/env bash
# The suite on SQLite and, when PG_URL is set, on PostgreSQL (make test calls this).
# TEST_JOBS=2 runs the two at once (two cores: about half the time), each into its log under
# build/, printed whole when both are done; TEST_JOBS=1 runs them one after the other, live.
# The last line adds up both runs; the exit status is non-zero when either run fails.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
mkdir -p build
rm -f build/test-sqlite.log build/test-postgres.log

run_sqlite() { env -u TEST_DATABASE_URL "$PY" -m pytest "$@"; }
run_postgres() { TEST_DATABASE_URL="$PG_URL" "$PY" -m pytest "$@"; }
progress() { grep -o '\[ *[0-9]*%\]' "$1" 2>/dev/null | tail -n 1 | tr -d '[] '; }

sqlite=0
postgres=0
if [ "${TEST_JOBS:-2}" = "1" ] || [ -z "${PG_URL:-}" ]; then
  echo "=== tests on SQLite ==="
  run_sqlite "$@" 2>&1 | tee build/test-sqlite.log; sqlite=${PIPESTATUS[0]}
  if [ -n "${PG_URL:-}" ]; then
    echo "=== tests on PostgreSQL ==="
    run_postgres "$@" 2>&1 | tee build/test-postgres.log; postgres=${PIPESTATUS[0]}
  fi
else
  echo "=== tests on SQLite and PostgreSQL at once (build/test-sqlite.log, build/test-postgres.log) ==="
  run_sqlite "$@" > build/test-sqlite.log 2>&1 &
  sqlite_pid=$!
  run_postgres "$@" > build/test-postgres.log 2>&1 &
  postgres_pid=$!
  # A line a minute, so that a watcher (or CI) sees the run is alive.
  seconds=0
  while kill -0 "$sqlite_pid" 2>/dev/null || kill -0 "$postgres_pid" 2>/dev/null; do
    sleep 2
    seconds=$((seconds + 2))
    if [ $((seconds % 60)) = 0 ]; then
      echo "... $(date +%H:%M) SQLite $(progress build/test-sqlite.log), PostgreSQL $(progress build/test-postgres.log)"
    fi
  done
  wait "$sqlite_pid"; sqlite=$?
  wait "$postgres_pid"; postgres=$?
  echo "=== tests on SQLite ==="
  cat build/test-sqlite.log
  echo "=== tests on PostgreSQL ==="
  cat build/test-postgres.log
fi

# Both runs' counts, from pytest's closing lines, as one line.
summary() { tail -n 1 "$1" 2>/dev/null | grep -E '(passed|failed|error)' || echo "no summary"; }
count() {
  for log in build/test-*.log; do summary "$log"; done \
    | grep -oE "[0-9]+ $1" | awk '{s += $1} END {print s + 0}'
}
echo "SQLite: $(summary build/test-sqlite.log)"
[ -n "${PG_URL:-}" ] && echo "PostgreSQL: $(summary build/test-postgres.log)"
failed=$(( $(count failed) + $(count errors?) ))
if [ "$sqlite" != 0 ] || [ "$postgres" != 0 ]; then
  echo "FAILED: SQLite exit $sqlite, PostgreSQL exit $postgres"
  [ "$failed" = 0 ] && failed=1
fi
echo "total: $(count passed) passed, $failed failed, $(count skipped) skipped"
[ "$sqlite" = 0 ] && [ "$postgres" = 0 ]
