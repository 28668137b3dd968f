#!/usr/bin/env bash
# Online migration benchmark (issue 4), on one machine, with clients running throughout:
#   1. `tessera up --groups 1`, a second group added with the CLI, 1,000,000 small keys on group 1;
#      client latency (redis-benchmark GET/SET through the proxy) before any migration;
#   2. every slot migrates to group 2 (`tessera slots migrate default 0-1023 2`) while redis-benchmark keeps
#      running: keys/s migrated, and client p99 during the migration next to p99 before it;
#   3. `tessera slots rebalance default` (half the slots back to group 1) while tessera-checker runs through the
#      proxy: acknowledged, lost, stale, errors;
#   4. a 1,000,000-field hash migrates alone: how long its MIGRATE blocks the source (the mover's own
#      measurement, and the longest PING round trip a probe on the source saw meanwhile).
#
#   bench/migration.sh                 full run (1,000,000 keys)
#   bench/migration.sh --quick         smoke run (100,000 keys, a 100,000-field hash)
#   bench/migration.sh --write-docs    also replace the migration section of docs/benchmarks.md
#   bench/migration.sh --docs-from bench/out/migration-<run-id>   only rewrite that section from an earlier run
#
# Options: --keys N, --hash-fields N, --clients N (redis-benchmark -c, default 20), --tessera-dll PATH and
#          --checker-dll PATH (skip the build); --keys-per-second N, --bytes-per-second N, --batch-keys N, --batch-target-ms MS go to
#          `tessera slots migrate` for the first migration (default: no throttle, 100 keys per MIGRATE).
# Everything this script starts is stopped by PID on exit (never by name). Results: bench/out/migration-<run-id>/.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
ARTIFACTS="${ARTIFACTS:-/tmp/art-bench-migration}"

KEYS=1000000; HASH_FIELDS=1000000; CLIENTS=20; WRITE_DOCS=0; TESSERA_DLL=""; CHECKER_DLL=""; QUICK=0
DOCS_FROM=""
declare -a MOVER=()   # extra options for `tessera slots migrate` (throttle, batch size)
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; KEYS=100000; HASH_FIELDS=100000 ;;
    --keys) KEYS="$2"; shift ;;
    --hash-fields) HASH_FIELDS="$2"; shift ;;
    --clients) CLIENTS="$2"; shift ;;
    --keys-per-second|--bytes-per-second|--batch-keys|--batch-target-ms) MOVER+=("$1" "$2"); shift ;;
    --write-docs) WRITE_DOCS=1 ;;
    --docs-from) DOCS_FROM="$2"; shift ;;
    --tessera-dll) TESSERA_DLL="$2"; shift ;;
    --checker-dll) CHECKER_DLL="$2"; shift ;;
    -h|--help) sed -n '2,22p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "migration.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

log() { printf '[migration %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Replaces the generated part of the "Online migration" section of docs/benchmarks.md with a run's results.
write_docs() {
  python3 - "$1/results.tsv" "$REPO/docs/benchmarks.md" "$(basename "$1" | sed 's/^migration-//')" <<'EOF'
import sys
r = dict(line.rstrip("\n").split("\t", 1) for line in open(sys.argv[1]) if "\t" in line)
n = lambda k: f"{int(float(r[k])):,}"
mb = lambda k: f"{int(r[k]) / 1048576:.1f} MB"
def during(key, before):
    if key not in r:
        return "n/a"
    median, worst = (r[key].replace("(worst run ", "").rstrip(")").split() + [""])[:2]
    return f"{median} ms, worst run {worst} ms ({float(median) / float(r[before]):.1f}x)"
table = f"""Run `{sys.argv[3]}` on {r['machine']}; load average after: {r['load_after']}. Clients: {r['clients']}.

| What | Measured | Target (issue 4) |
|---|---|---|
| Keys migrated (every slot, group 1 → group 2; mover: {r['mover']}) | {n('keys')} small keys (10-byte values) in {r['migration_seconds']} s: **{n('migration_keys_per_second')} keys/s** ({n('migration_keys_by_mover')} by the controller's mover, the rest by clients touching them first) | ≥ 50,000 keys/s with clients running |
| Client p99 GET, before → during (median of the runs) | {r['p99_before_get_ms']} ms → {during('p99_during_get_ms', 'p99_before_get_ms')} | ≤ 3x |
| Client p99 SET, before → during (median of the runs) | {r['p99_before_set_ms']} ms → {during('p99_during_set_ms', 'p99_before_set_ms')} | ≤ 3x |
| Errors returned to redis-benchmark during the migration | {r['client_errors_during']} (over {r['runs_during']} runs inside it) | 0 |
| `tessera slots rebalance` (half the slots back) under tessera-checker | {n('checker_acknowledged')} acknowledged INCRs: {r['checker_lost']} lost, {r['checker_stale']} stale, {r['checker_excess']} doubled, {r['checker_errors']} errors; INCR p99 {r['checker_writeP99Ms']} ms | 0 lost, 0 stale |
| A {n('big_hash_fields_on_target')}-field hash migrated alone | MEMORY USAGE {mb('big_hash_memory_usage_bytes')}, DUMP payload {mb('big_hash_dump_bytes')}; its MIGRATE took **{r['big_hash_migrate_ms']} ms**, the longest PING round trip on the source meanwhile was **{r['big_hash_source_longest_ping_ms']} ms** | reported |
"""
begin, end = "<!-- migration:begin -->", "<!-- migration:end -->"
doc = open(sys.argv[2]).read()
if begin in doc and end in doc:
    doc = doc[:doc.index(begin) + len(begin)] + "\n" + table + doc[doc.index(end):]
else:
    doc = doc.rstrip("\n") + "\n\n## Online migration\n\n" + begin + "\n" + table + end + "\n"
open(sys.argv[2], "w").write(doc)
EOF
  log "docs/benchmarks.md: migration results replaced with run $1"
}

if [[ -n "$DOCS_FROM" ]]; then
  [[ -f "$DOCS_FROM/results.tsv" ]] || { echo "migration.sh: $DOCS_FROM/results.tsv does not exist" >&2; exit 2; }
  write_docs "$DOCS_FROM"; exit 0
fi

BENCH_N=$(( QUICK == 1 ? 20000 : 40000 ))   # requests per redis-benchmark test and run: ~2 s each here
RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$BENCH_DIR/out/migration-$RUN_ID"
mkdir -p "$OUT/work" "$OUT/raw"
RESULTS="$OUT/results.tsv"; : >"$RESULTS"
result() { printf '%s\t%s\n' "$1" "$2" >>"$RESULTS"; log "$1 = $2"; }

# ---------------------------------------------------------------- process bookkeeping
declare -a PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

port_free() { ! ss -ltnH "sport = :$1" 2>/dev/null | grep -q .; }
free_port() {
  local port
  for _ in $(seq 200); do
    port=$(( 20000 + RANDOM % 30000 ))
    if port_free "$port"; then echo "$port"; return 0; fi
  done
  die "no free port found"
}

# ---------------------------------------------------------------- build
if [[ -z "$TESSERA_DLL" || -z "$CHECKER_DLL" ]]; then
  log "building tessera and tessera-checker (Release) into $ARTIFACTS"
  dotnet build "$REPO/src/Tessera.Cli" -c Release -v q --nologo -p:ArtifactsPath="$ARTIFACTS" >"$OUT/build.log" 2>&1 || die "build failed, see $OUT/build.log"
  dotnet build "$REPO/tools/Tessera.Checker" -c Release -v q --nologo -p:ArtifactsPath="$ARTIFACTS" >>"$OUT/build.log" 2>&1 || die "build failed, see $OUT/build.log"
  TESSERA_DLL="${TESSERA_DLL:-$ARTIFACTS/bin/Tessera.Cli/release/tessera.dll}"
  CHECKER_DLL="${CHECKER_DLL:-$ARTIFACTS/bin/Tessera.Checker/release/tessera-checker.dll}"
fi
# The admin token this run's `tessera up` wrote (its --dir is not ./.tessera, so the CLI is told where).
tessera() { dotnet "$TESSERA_DLL" "$@" --controller "$CONTROLLER" --token-file "$OUT/work/up/admin.token"; }

# ---------------------------------------------------------------- cluster: tessera up --groups 1, then a second group
PROXY_PORT=$(free_port); ADMIN_PORT=$(free_port); CONTROLLER_PORT=$(free_port)
CONTROLLER="http://127.0.0.1:$CONTROLLER_PORT"
log "tessera up --groups 1 --replicas 0 (proxy 127.0.0.1:$PROXY_PORT, controller $CONTROLLER)"
dotnet "$TESSERA_DLL" up --groups 1 --replicas 0 --port "$PROXY_PORT" --admin-port "$ADMIN_PORT" \
  --controller-port "$CONTROLLER_PORT" --dir "$OUT/work/up" >"$OUT/up.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 240); do grep -q "Tessera is ready" "$OUT/up.log" && break; kill -0 "${PIDS[0]}" 2>/dev/null || die "tessera up exited, see $OUT/up.log"; sleep 0.5; done
grep -q "Tessera is ready" "$OUT/up.log" || die "tessera up was not ready within 120 s, see $OUT/up.log"

G1=$(tessera status --json | python3 -c 'import json,sys; s=json.load(sys.stdin); print(next(x["address"] for n in s["namespaces"] for g in n["groups"] if g["id"]==1 for x in g["servers"] if x["role"]=="master"))')
G2_PORT=$(free_port)
mkdir -p "$OUT/work/group2"
redis-server --port "$G2_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$OUT/work/group2" \
  --logfile "$OUT/work/group2/redis.log" >/dev/null 2>&1 &
G2_PID=$!; PIDS+=($G2_PID)
for _ in $(seq 50); do redis-cli -p "$G2_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
[[ "$(redis-cli -p "$G2_PORT" info server | tr -d '\r' | sed -n 's/^process_id://p')" == "$G2_PID" ]] || die "the server on port $G2_PORT is not the one this script started"
G2="127.0.0.1:$G2_PORT"
tessera group create default 2 >/dev/null
tessera group add default 2 "$G2" >/dev/null
log "group 1 master $G1, group 2 master $G2 (added with tessera group create/add)"

# ---------------------------------------------------------------- data: N small keys on group 1 (redis-benchmark's key names)
log "writing $KEYS keys (key:%012d, 10-byte values) to group 1"
python3 - "$KEYS" <<'EOF' | redis-cli -h "${G1%:*}" -p "${G1##*:}" --pipe >"$OUT/fill.log"
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer; value = b"xxxxxxxxxx"
for i in range(n):
    key = b"key:%012d" % i
    out.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$10\r\n%s\r\n" % (len(key), key, value))
EOF
[[ "$(redis-cli -h "${G1%:*}" -p "${G1##*:}" dbsize)" == "$KEYS" ]] || die "group 1 does not hold $KEYS keys after the fill"
result keys "$KEYS"
result machine "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load before: $(cut -d' ' -f1-3 /proc/loadavg)"
result clients "redis-benchmark -c $CLIENTS -d 10 -r $KEYS -t get,set -n $BENCH_N per run"
result mover "${MOVER[*]:-no throttle, 100 keys per MIGRATE}"

# ---------------------------------------------------------------- redis-benchmark rounds
# One run: GET and SET through the proxy, N requests each; prints "start end get_p99 set_p99 errors".
bench_run() {
  local n="$1" file="$OUT/raw/bench-$2.csv" err="$OUT/raw/bench-$2.err" start end
  start=$(date +%s.%N)
  redis-benchmark -h 127.0.0.1 -p "$PROXY_PORT" -c "$CLIENTS" -n "$n" -d 10 -r "$KEYS" -t get,set --csv >"$file" 2>"$err" || true
  end=$(date +%s.%N)
  python3 - "$file" "$err" "$start" "$end" <<'EOF'
import csv, sys
rows = {r["test"]: r for r in csv.DictReader(open(sys.argv[1]))}
errors = sum(1 for line in open(sys.argv[2]) if "rror" in line) + sum(1 for line in open(sys.argv[1]) if "rror" in line)
get = rows.get("GET", {}).get("p99_latency_ms", "nan"); set_ = rows.get("SET", {}).get("p99_latency_ms", "nan")
print(sys.argv[3], sys.argv[4], get, set_, errors)
EOF
}

median() { python3 -c 'import statistics,sys; v=[float(x) for x in sys.argv[1:] if x!="nan"]; print(f"{statistics.median(v):.3f}" if v else "nan")' "$@"; }
maxof() { python3 -c 'import sys; v=[float(x) for x in sys.argv[1:] if x!="nan"]; print(f"{max(v):.3f}" if v else "nan")' "$@"; }

log "client latency before any migration: 3 runs"
declare -a BASE_GET=() BASE_SET=()
for i in 1 2 3; do
  read -r _ _ g s e < <(bench_run "$BENCH_N" "before-$i")
  BASE_GET+=("$g"); BASE_SET+=("$s"); log "  before #$i: GET p99 $g ms, SET p99 $s ms, errors $e"
done
result p99_before_get_ms "$(median "${BASE_GET[@]}")"
result p99_before_set_ms "$(median "${BASE_SET[@]}")"

# ---------------------------------------------------------------- phase 1: every slot to group 2 under redis-benchmark
migration_json() { tessera slots migration show default "$1" --json; }
field() { python3 -c "import json,sys; m=json.load(sys.stdin); print(m$1)"; }

log "migrating slots 0-1023 ($KEYS keys) to group 2 while redis-benchmark runs"
RUN_FLAG="$OUT/work/bench-running"; : >"$RUN_FLAG"
(
  i=0
  # Shorter runs than before the migration, so that several fall inside it.
  while [[ -f "$RUN_FLAG" ]]; do i=$((i + 1)); bench_run "$((BENCH_N / 4))" "during-$i"; done
) >"$OUT/raw/during.txt" &
LOOP_PID=$!; PIDS+=($LOOP_PID)
sleep 1
M1=$(tessera slots migrate default 0-1023 2 "${MOVER[@]}" --json | field '["id"]')
for _ in $(seq 1200); do
  [[ "$(migration_json "$M1" | field '["state"]')" =~ ^(Done|Cancelled|Failed)$ ]] && break
  sleep 0.5
done
migration_json "$M1" >"$OUT/migration-1.json"
rm -f "$RUN_FLAG"; wait "$LOOP_PID" || true
[[ "$(field '["state"]' <"$OUT/migration-1.json")" == "Done" ]] || die "migration $M1 did not finish, see $OUT/migration-1.json"

read -r STARTED FINISHED MOVED < <(python3 - "$OUT/migration-1.json" <<'EOF'
import json, sys
from datetime import datetime
m = json.load(open(sys.argv[1]))
ts = lambda s: datetime.fromisoformat(s).timestamp()
print(ts(m["startedAt"]), ts(m["finishedAt"]), m["keysMoved"])
EOF
)
ON_TWO=$(redis-cli -p "$G2_PORT" dbsize)
[[ "$ON_TWO" == "$KEYS" ]] || die "group 2 holds $ON_TWO keys after the migration, expected $KEYS"
SECONDS_TAKEN=$(python3 -c "print(f'{$FINISHED - $STARTED:.2f}')")
result migration_seconds "$SECONDS_TAKEN"
result migration_keys_per_second "$(python3 -c "print(int($KEYS / ($FINISHED - $STARTED)))")"
result migration_keys_by_mover "$MOVED"
declare -a DURING_GET=() DURING_SET=(); DURING_ERRORS=0
while read -r s e g t err; do
  # A run counts as "during" when at least 3/4 of it lay inside the migration.
  if python3 -c "import sys; sys.exit(0 if (min($e, $FINISHED) - max($s, $STARTED)) >= 0.75 * ($e - $s) else 1)"; then
    DURING_GET+=("$g"); DURING_SET+=("$t"); DURING_ERRORS=$((DURING_ERRORS + err))
    log "  during: GET p99 $g ms, SET p99 $t ms, errors $err"
  fi
done <"$OUT/raw/during.txt"
result runs_during "${#DURING_GET[@]}"
if (( ${#DURING_GET[@]} > 0 )); then
  result p99_during_get_ms "$(median "${DURING_GET[@]}") (worst run $(maxof "${DURING_GET[@]}"))"
  result p99_during_set_ms "$(median "${DURING_SET[@]}") (worst run $(maxof "${DURING_SET[@]}"))"
fi
result client_errors_during "$DURING_ERRORS"

# ---------------------------------------------------------------- phase 2: rebalance under the checker
CHECK_SECONDS=$(python3 -c "print(int(max(15, 2 * ($FINISHED - $STARTED) + 10)))")
log "tessera slots rebalance default (half back to group 1) while tessera-checker runs for $CHECK_SECONDS s"
dotnet "$CHECKER_DLL" --endpoints "127.0.0.1:$PROXY_PORT" --writers 8 --readers 4 --keys 1000 \
  --duration "$CHECK_SECONDS" --reset >"$OUT/checker.json" 2>"$OUT/checker.err" &
CHECKER_PID=$!; PIDS+=($CHECKER_PID)
sleep 3
tessera slots rebalance default --wait >"$OUT/rebalance.txt" 2>&1 || die "rebalance failed, see $OUT/rebalance.txt"
CHECKER_EXIT=0; wait "$CHECKER_PID" || CHECKER_EXIT=$?
python3 - "$OUT/checker.json" <<'EOF' >>"$RESULTS"
import json, sys
c = json.load(open(sys.argv[1]))
for k in ("acknowledged", "lost", "stale", "excess", "errors", "writeP99Ms"):
    print(f"checker_{k}\t{c[k]}")
EOF
result checker_exit "$CHECKER_EXIT"
cat "$OUT/rebalance.txt" >&2

# ---------------------------------------------------------------- phase 3: one big hash
log "writing a $HASH_FIELDS-field hash and migrating its slot alone"
SLOT=$(python3 -c 'import zlib; print(zlib.crc32(b"bighash") & 1023)')
OWNER=$(tessera slots show default --json | python3 -c "import json,sys; v=json.load(sys.stdin); print(next(r['group'] for r in v['ranges'] if r['from'] <= $SLOT <= r['to']))")
OTHER=$(( OWNER == 1 ? 2 : 1 ))
SOURCE=$([[ "$OWNER" == 1 ]] && echo "$G1" || echo "$G2")
python3 - "$HASH_FIELDS" <<'EOF' | redis-cli -h "${SOURCE%:*}" -p "${SOURCE##*:}" --pipe >"$OUT/hash-fill.log"
import sys
n = int(sys.argv[1]); out = sys.stdout.buffer; chunk = 1000
for start in range(0, n, chunk):
    fields = range(start, min(n, start + chunk))
    out.write(b"*%d\r\n$4\r\nHSET\r\n$7\r\nbighash\r\n" % (2 + 2 * len(fields)))
    for i in fields:
        f = b"field:%d" % i
        out.write(b"$%d\r\n%s\r\n$10\r\nvalue12345\r\n" % (len(f), f))
EOF
[[ "$(redis-cli -h "${SOURCE%:*}" -p "${SOURCE##*:}" hlen bighash)" == "$HASH_FIELDS" ]] || die "the big hash was not written"
result big_hash_memory_usage_bytes "$(redis-cli -h "${SOURCE%:*}" -p "${SOURCE##*:}" memory usage bighash)"
result big_hash_dump_bytes "$(python3 - "${SOURCE%:*}" "${SOURCE##*:}" <<'EOF'
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2]))); s.sendall(b"DUMP bighash\r\n"); head = b""
while not head.endswith(b"\r\n"):
    head += s.recv(1)
print(int(head[1:-2]))
EOF
)"
# A probe on the source: PING every 2 ms, the longest round trip is how long the source stood still.
python3 - "${SOURCE%:*}" "${SOURCE##*:}" "$OUT/work/probe-stop" >"$OUT/probe.txt" <<'EOF' &
import os, socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2]))); worst = 0.0
while not os.path.exists(sys.argv[3]):
    t = time.perf_counter(); s.sendall(b"PING\r\n"); s.recv(64)
    worst = max(worst, time.perf_counter() - t); time.sleep(0.002)
print(f"{worst * 1000:.1f}")
EOF
PROBE_PID=$!; PIDS+=($PROBE_PID)
sleep 1
M3=$(tessera slots migrate default "$SLOT-$SLOT" "$OTHER" --json | field '["id"]')
tessera slots migration wait default "$M3" >/dev/null
migration_json "$M3" >"$OUT/migration-3.json"
sleep 0.5; : >"$OUT/work/probe-stop"; wait "$PROBE_PID" || true
result big_hash_migrate_ms "$(field '["bigKeys"][0]["milliseconds"]' <"$OUT/migration-3.json")"
result big_hash_source_longest_ping_ms "$(cat "$OUT/probe.txt")"
result big_hash_fields_on_target "$(redis-cli -p "$([[ "$OTHER" == 2 ]] && echo "$G2_PORT" || echo "${G1##*:}")" hlen bighash)"
result load_after "$(cut -d' ' -f1-3 /proc/loadavg)"

log "results in $RESULTS"
cat "$RESULTS"
if [[ $WRITE_DOCS == 1 ]]; then
  write_docs "$OUT"
fi
