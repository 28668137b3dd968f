#!/usr/bin/env bash
# Quick A/B of proxy builds or runtime knobs at one pipeline depth: CPU µs per request of the proxy
# process (user + system from /proc/PID/stat) and, with --strace, syscalls per request.
# Much cheaper than bench/run.sh; meant for comparing variants side by side within minutes on a
# busy machine, where ops/s is noisy but CPU per request is not.
#
#   bench/ab.sh [options] LABEL=DLL[,VAR=value...][,--proxy-option...] ...   (LABEL "twemproxy" with any DLL runs nutcracker)
#
# Options: --rounds N (3), -n REQUESTS per run (100000), -P DEPTH (1), --tests "get set",
#          --strace N (one extra run of N GETs per variant under `strace -c -f`; needs ptrace rights),
#          --perf N (one extra run of N GETs per variant under `perf record -g`; report in the output folder;
#                    give the variant DOTNET_PerfMapEnabled=1 to name JIT-compiled frames),
#          --admin (each proxy also serves its admin API, so its metrics are collected, as users run it)
# Prints one line per variant/test/round and medians at the end. Output files under bench/out/ab-*.
# Everything it starts is stopped by PID on exit (never by name); every run has a timeout.
set -euo pipefail

ROUNDS=3; N=100000; DEPTH=1; TESTS="get set"; STRACE_N=0; PERF_N=0; ADMIN=0
declare -a VARIANTS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    -n) N="$2"; shift ;;
    -P) DEPTH="$2"; shift ;;
    --tests) TESTS="$2"; shift ;;
    --strace) STRACE_N="$2"; shift ;;
    --perf) PERF_N="$2"; shift ;;
    --admin) ADMIN=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *=*) VARIANTS+=("$1") ;;
    *) echo "ab.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[[ ${#VARIANTS[@]} -gt 0 ]] || { echo "ab.sh: give at least one LABEL=DLL variant" >&2; exit 2; }

OUT="$(cd "$(dirname "$0")" && pwd)/out/ab-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
TICK=$(getconf CLK_TCK)
# shellcheck source=bench/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
wait_pong() {
  for _ in $(seq 1 $(( $3 * 10 ))); do
    kill -0 "$2" 2>/dev/null || return 1
    [[ "$(timeout 2 redis-cli -h 127.0.0.1 -p "$1" PING 2>/dev/null)" == "PONG" ]] && return 0
    sleep 0.1
  done
  return 1
}
# Context switches (voluntary + involuntary) of all threads of process $1 so far.
ctx_switches() { cat /proc/"$1"/task/*/status 2>/dev/null | awk '/ctxt_switches/ { n += $2 } END { print n + 0 }'; }
MGET_ARGS="mget"; for _ in $(seq 10); do MGET_ARGS+=" key:__rand_int__"; done

declare -a RPORTS=()
for i in 1 2; do
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no >"$OUT/redis$i.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_pong "$port" "$pid" 10 && holds_port "$port" "$pid" || { echo "ab.sh: redis-server $i did not start" >&2; exit 1; }
  RPORTS+=("$port")
done
cat >"$OUT/topology.yaml" <<EOF
epoch: 1
namespaces:
  - name: default
    groups:
      - id: 1
        master: 127.0.0.1:${RPORTS[0]}
      - id: 2
        master: 127.0.0.1:${RPORTS[1]}
    slots:
      - { from: 0, to: 511, group: 1 }
      - { from: 512, to: 1023, group: 2 }
EOF

declare -A VPORT=() VPID=()
declare -a LABELS=()
for v in "${VARIANTS[@]}"; do
  label="${v%%=*}"; rest="${v#*=}"; dll="${rest%%,*}"; envs=""; extra=()
  [[ "$rest" == *,* ]] && envs="${rest#*,}"
  # Items starting with "--" are proxy options (e.g. off=DLL,--no-metrics), the rest VAR=value environment.
  if [[ -n "$envs" ]]; then
    items=(); IFS=',' read -r -a items <<<"$envs"; envs=""
    for item in "${items[@]}"; do
      if [[ "$item" == --* ]]; then extra+=("$item"); else envs+="${envs:+,}$item"; fi
    done
  fi
  port=$(free_port)
  if [[ "$label" == twemproxy* ]]; then
    twemproxy_config "$OUT/$label.yml" "$port" "127.0.0.1:${RPORTS[0]}" "127.0.0.1:${RPORTS[1]}"
    nutcracker -c "$OUT/$label.yml" -s "$(free_port)" -a 127.0.0.1 >"$OUT/$label.log" 2>&1 &
  else
    # shellcheck disable=SC2086 # comma-separated VAR=value list on purpose
    admin_args=(); [[ $ADMIN == 1 ]] && admin_args=(--admin "127.0.0.1:$(free_port)")
    env ${envs//,/ } dotnet "$dll" proxy --config "$OUT/topology.yaml" --listen "127.0.0.1:$port" "${admin_args[@]}" "${extra[@]}" >"$OUT/$label.log" 2>&1 &
  fi
  pid=$!; PIDS+=("$pid")
  wait_pong "$port" "$pid" 30 && holds_port "$port" "$pid" || { echo "ab.sh: $label did not start (see $OUT/$label.log)" >&2; exit 1; }
  VPORT[$label]=$port; VPID[$label]=$pid; LABELS+=("$label")
  echo "# $label: port $port pid $pid dll $dll env '${envs}'"
  # Warm-up (JIT, tiering, pools).
  timeout 120 redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -d 100 -r 1000000 -P "$DEPTH" -n 100000 -t get,set -q >/dev/null 2>&1 || true
done

RES="$OUT/results.tsv"; : >"$RES"
for r in $(seq 1 "$ROUNDS"); do
  for t in $TESTS; do
    # Rotate the order every round so no variant always runs right after another.
    n=${#LABELS[@]}
    for k in $(seq 0 $((n - 1))); do
      label="${LABELS[$(( (k + r) % n ))]}"; port=${VPORT[$label]}; pid=${VPID[$label]}
      # shellcheck disable=SC2086 # MGET_ARGS is a word list on purpose
      if [[ "$t" == mget ]]; then args=($MGET_ARGS); else args=(-t "$t"); fi
      before=$(cpu_ticks "$pid"); c0=$(ctx_switches "$pid"); t0=$(date +%s.%N)
      line=$(timeout 180 redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -d 100 -r 1000000 -P "$DEPTH" -n "$N" --csv "${args[@]}" 2>/dev/null | tail -n 1)
      t1=$(date +%s.%N); after=$(cpu_ticks "$pid"); c1=$(ctx_switches "$pid")
      ops=$(echo "$line" | cut -d, -f2 | tr -d '"')
      p99=$(echo "$line" | cut -d, -f7 | tr -d '"')
      us=$(python3 -c "print(f'{($after - $before) / $TICK * 1e6 / $N:.2f}')")
      busy=$(python3 -c "print(f'{($after - $before) / $TICK / ($t1 - $t0) * 100:.0f}')")
      cs=$(python3 -c "print(f'{($c1 - $c0) / $N:.2f}')")
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$r" "$t" "$label" "$ops" "$p99" "$us" "$busy" "$cs" | tee -a "$RES"
    done
  done
done

echo "# medians (test, variant, ops/s, p99 ms, CPU µs/request, CPU % of a core, context switches/request)"
python3 - "$RES" <<'EOF'
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    r, t, label, ops, p99, us, busy, cs = line.rstrip("\n").split("\t")
    try:
        rows[(t, label)].append((float(ops), float(p99), float(us), float(busy), float(cs)))
    except ValueError:
        pass
for (t, label), v in rows.items():
    med = [statistics.median(x[i] for x in v) for i in range(5)]
    print(f"{t}\t{label:24}\t{med[0]:>10,.0f}\t{med[1]:.3f}\t{med[2]:6.2f}\t{med[3]:.0f}\t{med[4]:.2f}\t(us/op: {' '.join(f'{x[2]:.1f}' for x in v)})")
EOF

if [[ "$STRACE_N" -gt 0 ]]; then
  echo "# syscalls per request (strace -c -f over $STRACE_N GETs at -P $DEPTH)"
  for label in "${LABELS[@]}"; do
    port=${VPORT[$label]}; pid=${VPID[$label]}
    strace -c -f -p "$pid" -o "$OUT/strace-$label.txt" &
    spid=$!
    sleep 1
    timeout 180 redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -d 100 -r 1000000 -P "$DEPTH" -n "$STRACE_N" -t get -q >/dev/null 2>&1 || true
    kill -INT "$spid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
    python3 - "$OUT/strace-$label.txt" "$STRACE_N" "$label" <<'EOF'
import sys
path, n, label = sys.argv[1], int(sys.argv[2]), sys.argv[3]
parts = []
total = 0
for line in open(path):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
        calls = int(f[3]); errors = int(f[4]) if len(f) == 6 else 0
        total += calls
        if calls / n >= 0.05:
            parts.append(f"{f[-1]} {calls / n:.2f}" + (f" ({errors / n:.2f} err)" if errors else ""))
print(f"{label}: {total / n:.2f} syscalls/request: " + ", ".join(parts))
EOF
  done
fi
if [[ "$PERF_N" -gt 0 ]]; then
  for label in "${LABELS[@]}"; do
    port=${VPORT[$label]}; pid=${VPID[$label]}
    perf record -g -p "$pid" -o "$OUT/perf-$label.data" >/dev/null 2>&1 &
    spid=$!
    sleep 1
    timeout 180 redis-benchmark -h 127.0.0.1 -p "$port" -c 50 -d 100 -r 1000000 -P "$DEPTH" -n "$PERF_N" -t get -q >/dev/null 2>&1 || true
    kill -INT "$spid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$spid" 2>/dev/null || break; sleep 0.1; done
    perf report -i "$OUT/perf-$label.data" --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' >"$OUT/perf-$label.txt" || true
    echo "# perf $label: $OUT/perf-$label.txt"
  done
fi
echo "# raw results: $RES"
