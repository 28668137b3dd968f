#!/usr/bin/env bash
# Side-by-side benchmark: direct Redis, twemproxy and Tessera over the SAME two redis-server
# backends, in one run, with redis-benchmark in interleaved rounds. See docs/benchmarks.md.
#
#   bench/run.sh                 full run (3 rounds, each redis-benchmark run ~2-5 s)
#   bench/run.sh --quick         smoke run (1 round, small -n)
#   bench/run.sh --write-docs    also replace the generated section of docs/benchmarks.md
#
# Options: --rounds N, --tessera-dll PATH (skip the build), --no-tessera, --no-idle,
#          --idle-count N, --working-tree (build the working tree instead of HEAD),
#          --tessera-variant "VAR=value ..."  also run a second Tessera process with these
#                                             environment variables, as a fourth target.
# Environment overrides for request counts: N_P1, N_P32, N_MULTI_P1, N_MULTI_P32, N_ALLOC.
#
# Everything this script starts is stopped by PID on exit (never by name).
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BENCH_DIR/.." && pwd)"
ARTIFACTS="${ARTIFACTS:-/tmp/art-bench}"

QUICK=0; WRITE_DOCS=0; ROUNDS=3; TESSERA_DLL=""; NO_TESSERA=0; TESSERA_VARIANT=""; WORKING_TREE=0; NO_IDLE=0; IDLE_COUNT=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) QUICK=1; ROUNDS=1 ;;
    --write-docs) WRITE_DOCS=1 ;;
    --rounds) ROUNDS="$2"; shift ;;
    --tessera-dll) TESSERA_DLL="$2"; shift ;;
    --no-tessera) NO_TESSERA=1 ;;
    --working-tree) WORKING_TREE=1 ;;
    --tessera-variant) TESSERA_VARIANT="$2"; shift ;;
    --no-idle) NO_IDLE=1 ;;
    --idle-count) IDLE_COUNT="$2"; shift ;;
    -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "run.sh: unknown option '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# Request counts, sized so that one redis-benchmark run takes ~2-5 s on a 2-core machine
# (direct Redis is the fastest target, the proxies the slowest).
if [[ $QUICK == 1 ]]; then
  N_P1="${N_P1:-20000}"; N_P32="${N_P32:-200000}"
  N_MULTI_P1="${N_MULTI_P1:-10000}"; N_MULTI_P32="${N_MULTI_P32:-20000}"; N_ALLOC="${N_ALLOC:-200000}"
  IDLE_COUNT="${IDLE_COUNT:-2000}"
else
  N_P1="${N_P1:-200000}"; N_P32="${N_P32:-1000000}"
  N_MULTI_P1="${N_MULTI_P1:-100000}"; N_MULTI_P32="${N_MULTI_P32:-100000}"; N_ALLOC="${N_ALLOC:-1000000}"
  IDLE_COUNT="${IDLE_COUNT:-10000}"
fi
BENCH_TIMEOUT=180   # seconds; a hung target must never hang the whole run
# The machine is shared: before each run, wait (bounded) until other processes leave the CPUs
# mostly idle. What they used is recorded with every run and summarised in the report.
QUIET_BUSY="${QUIET_BUSY:-25}"                       # percent of all CPUs
QUIET_MAX="${QUIET_MAX:-$([[ $QUICK == 1 ]] && echo 3 || echo 60)}"   # seconds per run
QUIET_BUDGET="${QUIET_BUDGET:-$([[ $QUICK == 1 ]] && echo 30 || echo 1200)}"   # seconds per whole run
QUIET_WAITED=0

RUN_ID="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$BENCH_DIR/out/$RUN_ID"
mkdir -p "$OUT/raw" "$OUT/logs" "$OUT/work"
META="$OUT/meta.tsv"; : >"$META"
meta() { printf '%s\t%s\n' "$1" "$2" >>"$META"; }
log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ---------------------------------------------------------------- process bookkeeping
declare -a PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM

# The idle-connection test needs ~10k descriptors in the proxy and in the client.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
meta ulimit_n "$(ulimit -n)"

# ---------------------------------------------------------------- ports
declare -a USED_PORTS=()
# Sets variable $1 to a loopback port that we could bind just now and have not handed out
# before (a variable, not a subshell, so USED_PORTS keeps growing).
free_port() {
  local candidate
  for _ in $(seq 200); do
    candidate=$(( 20000 + RANDOM % 30000 ))
    [[ " ${USED_PORTS[*]} " == *" $candidate "* ]] && continue
    if python3 - "$candidate" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
    then USED_PORTS+=("$candidate"); printf -v "$1" '%s' "$candidate"; return 0; fi
  done
  echo "run.sh: found no free loopback port after 200 tries" >&2; return 1
}

# True when process $2 is the one listening on port $1.
holds_port() { ss -ltnpH "( sport = :$1 )" 2>/dev/null | grep -q "pid=$2,"; }

# Waits (bounded) until "PING" on port $1 answers PONG while process $2 lives.
wait_pong() {
  local port="$1" pid="$2" secs="$3"
  for _ in $(seq $(( secs * 10 ))); do
    kill -0 "$pid" 2>/dev/null || return 1
    [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$port" PING 2>/dev/null)" == "PONG" ]] && return 0
    sleep 0.1
  done
  return 1
}

# ---------------------------------------------------------------- machine info
meta run_id "$RUN_ID"
meta mode "$([[ $QUICK == 1 ]] && echo quick || echo full)"
meta rounds "$ROUNDS"
meta date "$(date -u '+%Y-%m-%d %H:%M UTC')"
meta nproc "$(nproc)"
meta cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
meta kernel "$(uname -sr)"
meta mem_total "$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
meta redis_version "$(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p')"
meta redis_benchmark "$(command -v redis-benchmark)"
meta nutcracker_version "$(nutcracker --version 2>&1 | sed -n 's/.*nutcracker-\([^ ]*\).*/\1/p' | head -1)"
meta dotnet_sdk "$(dotnet --version 2>/dev/null || echo none)"
meta dotnet_runtime "$(dotnet --list-runtimes 2>/dev/null | awk '/Microsoft.NETCore.App/ {v=$2} END {print v}')"
# Runtime knobs given to the proxy through the environment (they change its behaviour).
meta dotnet_env "$(env | grep -E '^DOTNET_' | grep -vE '^DOTNET_(CLI_|NOLOGO|GENERATE_ASPNET|SKIP_FIRST)' | sort | tr '\n' ' ')"
meta git_commit "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
meta quiet_busy "$QUIET_BUSY"; meta quiet_max "$QUIET_MAX"; meta quiet_budget "$QUIET_BUDGET"
meta n_p1 "$N_P1"; meta n_p32 "$N_P32"; meta n_multi_p1 "$N_MULTI_P1"; meta n_multi_p32 "$N_MULTI_P32"
meta loadavg_start "$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- backends
declare -A BACKEND_PID=()
start_redis() {
  local name="$1" port="$2" pid
  mkdir -p "$OUT/work/$name"
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no \
    --dir "$OUT/work/$name" --logfile "$OUT/logs/$name.log" --protected-mode yes &
  pid=$!; PIDS+=("$pid")
  wait_pong "$port" "$pid" 10 || { echo "run.sh: redis-server $name on port $port did not start; see $OUT/logs/$name.log" >&2; exit 1; }
  local owner
  owner="$(redis-cli -h 127.0.0.1 -p "$port" INFO server | tr -d '\r' | sed -n 's/^process_id://p')"
  [[ "$owner" == "$pid" ]] || { echo "run.sh: port $port answers as process $owner, not our redis-server $pid" >&2; exit 1; }
  BACKEND_PID[$name]="$pid"
  log "redis-server $name: 127.0.0.1:$port pid $pid"
}

free_port R1_PORT; start_redis redis1 "$R1_PORT"
free_port R2_PORT; start_redis redis2 "$R2_PORT"
meta backends "127.0.0.1:$R1_PORT, 127.0.0.1:$R2_PORT"

declare -A TARGET_PORT=() TARGET_PID=()
TARGETS=(redis)
# "Direct Redis" is one of the two backends: a client without a proxy talks to one server.
TARGET_PORT[redis]="$R1_PORT"; TARGET_PID[redis]="${BACKEND_PID[redis1]}"

# ---------------------------------------------------------------- twemproxy
free_port TW_PORT; free_port TW_STATS
cat >"$OUT/work/nutcracker.yml" <<EOF
bench:
  listen: 127.0.0.1:$TW_PORT
  hash: fnv1a_64
  distribution: ketama
  redis: true
  auto_eject_hosts: false
  preconnect: true
  timeout: 5000
  servers:
   - 127.0.0.1:$R1_PORT:1 g1
   - 127.0.0.1:$R2_PORT:1 g2
EOF
if nutcracker -t -c "$OUT/work/nutcracker.yml" >"$OUT/logs/nutcracker-test.log" 2>&1; then
  nutcracker -c "$OUT/work/nutcracker.yml" -s "$TW_STATS" -a 127.0.0.1 -o "$OUT/logs/nutcracker.log" &
  pid=$!; PIDS+=("$pid")
  if wait_pong "$TW_PORT" "$pid" 10 && holds_port "$TW_PORT" "$pid"; then
    TARGETS+=(twemproxy); TARGET_PORT[twemproxy]="$TW_PORT"; TARGET_PID[twemproxy]="$pid"
    log "twemproxy: 127.0.0.1:$TW_PORT (stats $TW_STATS) pid $pid"
  else
    meta note "twemproxy did not start (see logs/nutcracker.log); it is left out of this run."
  fi
else
  meta note "twemproxy rejected its configuration (see logs/nutcracker-test.log); it is left out of this run."
fi
meta twemproxy_config "hash fnv1a_64, distribution ketama, 1 server connection per backend (nutcracker default)"

# ---------------------------------------------------------------- Tessera
tessera_skip() { meta tessera_status "skipped: $1"; log "Tessera skipped: $1"; }
if [[ $NO_TESSERA == 1 ]]; then
  tessera_skip "--no-tessera was given"
else
  if [[ -z "$TESSERA_DLL" ]]; then
    # Build the committed HEAD, not the working tree: the tree is shared with people whose
    # unfinished edits must not end up in the numbers (--working-tree builds it as it is).
    SRC="$REPO"
    if [[ $WORKING_TREE == 0 ]]; then
      SRC="$OUT/work/src"; mkdir -p "$SRC"
      git -C "$REPO" archive HEAD | tar -x -C "$SRC"
      meta tessera_source "HEAD $(git -C "$REPO" rev-parse --short HEAD) (git archive)"
    else
      meta tessera_source "working tree of $REPO at $(git -C "$REPO" rev-parse --short HEAD) plus uncommitted changes"
    fi
    log "building Tessera.Cli from $SRC (Release, artifacts $ARTIFACTS)"
    if dotnet build "$SRC/src/Tessera.Cli" -c Release -p:ArtifactsPath="$ARTIFACTS" -v q -nologo \
         >"$OUT/logs/tessera-build.log" 2>&1; then
      TESSERA_DLL="$ARTIFACTS/bin/Tessera.Cli/release/tessera.dll"
    else
      tessera_skip "the proxy does not build yet ($(grep -m1 -E 'error [A-Z]+[0-9]+' "$OUT/logs/tessera-build.log" | sed 's/^.*: error/error/' | cut -c1-160))"
    fi
  fi
  if [[ -n "$TESSERA_DLL" ]]; then
    cat >"$OUT/work/topology.yaml" <<EOF
epoch: 1
namespaces:
  - name: default
    groups:
      - id: 1
        master: 127.0.0.1:$R1_PORT
      - id: 2
        master: 127.0.0.1:$R2_PORT
    slots:
      - { from: 0, to: 511, group: 1 }
      - { from: 512, to: 1023, group: 2 }
EOF
    # start_tessera <target name> [VAR=value ...]: one proxy process over the same topology.
    start_tessera() {
      local name="$1" port="" pid; shift
      free_port port
      env "$@" dotnet "$TESSERA_DLL" proxy --config "$OUT/work/topology.yaml" --listen "127.0.0.1:$port" \
        >"$OUT/logs/$name.log" 2>&1 &
      pid=$!; PIDS+=("$pid")
      if wait_pong "$port" "$pid" 30 && holds_port "$port" "$pid"; then
        TARGETS+=("$name"); TARGET_PORT[$name]="$port"; TARGET_PID[$name]="$pid"
        log "$name: 127.0.0.1:$port pid $pid $*"
        return 0
      fi
      tail -n 5 "$OUT/logs/$name.log" | tr '\n' ' ' | cut -c1-300 >"$OUT/work/$name-tail" || true
      return 1
    }
    if start_tessera tessera; then
      meta tessera_status "ran: $TESSERA_DLL"
      if [[ -n "$TESSERA_VARIANT" ]]; then
        # shellcheck disable=SC2086 # VAR=value words on purpose
        if start_tessera tessera-variant $TESSERA_VARIANT; then
          meta tessera_variant "$TESSERA_VARIANT"
        else
          meta note "the Tessera variant ($TESSERA_VARIANT) did not start: $(cat "$OUT/work/tessera-variant-tail")"
        fi
      fi
    else
      tessera_skip "'tessera proxy' did not answer PING within 30 s (log tail: $(cat "$OUT/work/tessera-tail"))"
    fi
  fi
fi

# ---------------------------------------------------------------- routing sanity
# Keys written through a proxy must land on both backends; for Tessera, on the group that
# owns slot crc32(key) % 1024. A wrong route makes every number below meaningless.
check_routing() {
  local target="$1" port="${TARGET_PORT[$1]}" k slot expect on1 on2 bad=0 n1=0 n2=0
  for i in $(seq 1 40); do
    k="bench:route:$i"
    [[ "$(redis-cli -p "$port" SET "$k" v 2>&1)" == "OK" ]] || { bad=1; break; }
    on1=$(redis-cli -p "$R1_PORT" EXISTS "$k"); on2=$(redis-cli -p "$R2_PORT" EXISTS "$k")
    [[ "$on1$on2" == "10" ]] && n1=$((n1 + 1)); [[ "$on1$on2" == "01" ]] && n2=$((n2 + 1))
    if [[ "$target" == tessera* ]]; then
      slot=$(python3 -c 'import sys, zlib; print(zlib.crc32(sys.argv[1].encode()) % 1024)' "$k")
      expect=$([[ $slot -le 511 ]] && echo 10 || echo 01)
      [[ "$on1$on2" == "$expect" ]] || bad=1
    fi
    redis-cli -p "$R1_PORT" DEL "$k" >/dev/null; redis-cli -p "$R2_PORT" DEL "$k" >/dev/null
  done
  meta "routing_$target" "40 keys: $n1 on backend 1, $n2 on backend 2$([[ $bad == 1 ]] && echo ', WRONG ROUTE SEEN')"
  [[ $bad == 0 && $n1 -gt 0 && $n2 -gt 0 ]]
}
for t in twemproxy tessera tessera-variant; do
  [[ -n "${TARGET_PORT[$t]:-}" ]] || continue
  if ! check_routing "$t"; then
    meta note "$t failed the routing check (see routing_$t); its numbers are not comparable."
    log "WARNING: $t failed the routing check"
  fi
done

# ---------------------------------------------------------------- idle connections
# Measured on fresh processes, before any load: afterwards the proxies keep buffers that
# the benchmark made them grow (twemproxy never frees its mbuf pool), which would hide the
# cost of the connections themselves.
if [[ $NO_IDLE == 0 ]]; then
  for t in tessera twemproxy; do
    [[ -n "${TARGET_PORT[$t]:-}" ]] || continue
    log "idle connections: $IDLE_COUNT to $t"
    timeout 300 python3 "$BENCH_DIR/idle_connections.py" --port "${TARGET_PORT[$t]}" \
      --pid "${TARGET_PID[$t]}" --count "$IDLE_COUNT" --timeout 240 >"$OUT/raw/idle__$t.json" \
      2>"$OUT/logs/idle_$t.err" || log "WARNING: idle-connection test against $t failed (logs/idle_$t.err)"
  done
fi

# ---------------------------------------------------------------- redis-benchmark rounds
MGET_KEYS=""; for _ in $(seq 10); do MGET_KEYS+=" key:__rand_int__"; done
# config id | pipeline | requests | test arguments. __rand_int__ is replaced per occurrence,
# so the 10 MGET keys are 10 different random keys spread over both groups.
# SET and GET run as separate redis-benchmark invocations so that the CPU each target spends
# can be attributed to one command.
CONFIGS=(
  "set_P1|1|$N_P1|-t set"
  "get_P1|1|$N_P1|-t get"
  "set_P32|32|$N_P32|-t set"
  "get_P32|32|$N_P32|-t get"
  "mset_P1|1|$N_MULTI_P1|-t mset"
  "mget_P1|1|$N_MULTI_P1|mget$MGET_KEYS"
  "mset_P32|32|$N_MULTI_P32|-t mset"
  "mget_P32|32|$N_MULTI_P32|mget$MGET_KEYS"
)

# Prints the percentage of CPU time (all cores) that was not idle during the next second.
cpu_busy() {
  local a b
  a=$(head -1 /proc/stat); sleep 1; b=$(head -1 /proc/stat)
  awk -v a="$a" -v b="$b" 'BEGIN {
    n = split(a, x, " "); split(b, y, " "); total = 0
    for (i = 2; i <= n; i++) total += y[i] - x[i]
    idle = (y[5] - x[5]) + (y[6] - x[6])
    printf "%d", (total > 0 ? 100 * (total - idle) / total : 0) }'
}
# wait_quiet <label>: waits up to QUIET_MAX s for the CPUs to be quiet; records what it saw.
wait_quiet() {
  local busy waited=0
  busy=$(cpu_busy)
  while (( busy > QUIET_BUSY && waited < QUIET_MAX && QUIET_WAITED < QUIET_BUDGET )); do
    sleep 1; waited=$(( waited + 2 )); QUIET_WAITED=$(( QUIET_WAITED + 2 )); busy=$(cpu_busy)
  done
  printf '%s\t%s\t%s\n' "$1" "$busy" "$waited" >>"$OUT/raw/busy.tsv"
}

# CPU time (clock ticks, user + system) a process has used so far.
proc_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
# Busy and total ticks of the whole machine so far.
machine_ticks() { head -1 /proc/stat | awk '{ t = 0; for (i = 2; i <= NF; i++) t += $i; print t - $5 - $6, t }'; }

# run_bench <target> <port> <pipeline> <requests> <csv file> <test args...>
# Next to the CSV it writes <file>.cpu: "target_ticks backend_ticks wall_ms machine_busy_ticks
# machine_total_ticks requests", so the report can show how much CPU each target spent per request
# (on a 2-core machine shared with the load generator, that is what bounds throughput).
run_bench() {
  local target="$1" port="$2" pipe="$3" n="$4" file="$5"; shift 5
  local rc=0 pid="${TARGET_PID[$target]}" t0 b0 m0 w0 t1 b1 m1 w1
  t0=$(proc_ticks "$pid"); b0=$(( $(proc_ticks "${BACKEND_PID[redis1]}") + $(proc_ticks "${BACKEND_PID[redis2]}") ))
  m0=$(machine_ticks); w0=$(date +%s%N)
  timeout "$BENCH_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -d 100 -r 1000000 \
    -P "$pipe" -n "$n" --csv "$@" >"$file" 2>"${file%.csv}.err" || rc=$?
  w1=$(date +%s%N); m1=$(machine_ticks); t1=$(proc_ticks "$pid")
  b1=$(( $(proc_ticks "${BACKEND_PID[redis1]}") + $(proc_ticks "${BACKEND_PID[redis2]}") ))
  echo "$(( t1 - t0 )) $(( b1 - b0 )) $(( (w1 - w0) / 1000000 )) $(( ${m1% *} - ${m0% *} )) $(( ${m1#* } - ${m0#* } )) $n" >"${file%.csv}.cpu"
  [[ $rc == 0 ]] || { echo "exit $rc" >>"${file%.csv}.err"; log "WARNING: redis-benchmark against $target exited $rc ($file)"; }
}

# Fill the keyspace on both backends directly (no proxy involved), so GET and MGET find a
# value for ~95% of keys whichever target they go through, instead of a hit rate that depends
# on which SET runs came before.
log "filling key:0..999999 on both backends"
for p in "$R1_PORT" "$R2_PORT"; do
  timeout "$BENCH_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$p" -c 50 -d 100 -r 1000000 -P 64 \
    -n $(( QUICK == 1 ? 300000 : 3000000 )) -t set -q >/dev/null 2>&1 || log "WARNING: filling backend $p failed"
done
meta keys_after_fill "$(redis-cli -p "$R1_PORT" DBSIZE) / $(redis-cli -p "$R2_PORT" DBSIZE)"

log "targets: ${TARGETS[*]}; $ROUNDS round(s)"
for (( round = 1; round <= ROUNDS; round++ )); do
  for cfg in "${CONFIGS[@]}"; do
    IFS='|' read -r id pipe n args <<<"$cfg"
    # Rotate who goes first each round so that no target always follows the same neighbour.
    count=${#TARGETS[@]}
    for (( j = 0; j < count; j++ )); do
      t="${TARGETS[$(( (j + round - 1) % count ))]}"
      wait_quiet "r${round}__${t}__${id}"
      log "round $round/$ROUNDS  $id  $t  (CPU busy before: $(tail -1 "$OUT/raw/busy.tsv" | cut -f2)%)"
      # shellcheck disable=SC2086
      run_bench "$t" "${TARGET_PORT[$t]}" "$pipe" "$n" "$OUT/raw/r${round}__${t}__${id}.csv" $args
    done
  done
done
meta loadavg_end "$(cut -d' ' -f1-3 /proc/loadavg)"
meta keys_per_backend "$(redis-cli -p "$R1_PORT" DBSIZE) / $(redis-cli -p "$R2_PORT" DBSIZE)"

# ---------------------------------------------------------------- allocations per command
# Two GET/SET runs of different lengths with the same 50 connections: the difference between
# them is the cost of the extra commands alone (per-command allocation), and what is left of
# the short run is the fixed cost (accepting 50 sessions, timers, the INFO calls).
info_field() { redis-cli -p "$1" INFO "$2" 2>/dev/null | tr -d '\r' | sed -n "s/^$3://p" | head -1; }
# alloc_run <port> <pipeline> <requests> <tag>: prints "<bytes allocated> <commands processed>".
alloc_run() {
  local a0 c0 a1 c1
  a0=$(info_field "$1" proxy allocated_bytes); c0=$(info_field "$1" stats total_commands_processed)
  [[ -n "$a0" && -n "$c0" ]] || return 1
  run_bench tessera "$1" "$2" "$3" "$OUT/raw/alloc__tessera__P$2_$4.csv" -t set,get
  a1=$(info_field "$1" proxy allocated_bytes); c1=$(info_field "$1" stats total_commands_processed)
  echo "$(( a1 - a0 )) $(( c1 - c0 ))"
}
if [[ -n "${TARGET_PORT[tessera]:-}" ]]; then
  port="${TARGET_PORT[tessera]}"
  # Background work (timers, tiered JIT, GC bookkeeping) makes the fixed part vary by some
  # 100 KB between runs, so the pair is repeated and the report takes the median.
  pairs=$([[ $QUICK == 1 ]] && echo 1 || echo 3)
  for pipe in 32 1; do
    n=$([[ $pipe == 32 ]] && echo "$N_ALLOC" || echo $(( N_ALLOC / 4 )))
    value=""
    for (( k = 1; k <= pairs; k++ )); do
      log "allocations: -P $pipe, pair $k/$pairs"
      if short=$(alloc_run "$port" "$pipe" $(( n / 10 )) "short$k") && long=$(alloc_run "$port" "$pipe" "$n" "long$k"); then
        value+="${value:+;}$short $long"
      else
        meta alloc_note "INFO proxy has no allocated_bytes or INFO stats has no total_commands_processed; allocation per command not measured."
        break 2
      fi
    done
    meta "alloc_P$pipe" "$value"
  done
fi

# ---------------------------------------------------------------- report
cleanup
ln -sfn "$RUN_ID" "$BENCH_DIR/out/latest"
report_args=("$OUT")
[[ $WRITE_DOCS == 1 ]] && report_args+=(--write-docs "$REPO/docs/benchmarks.md")
python3 "$BENCH_DIR/report.py" "${report_args[@]}"
log "results: $OUT/results.md"
