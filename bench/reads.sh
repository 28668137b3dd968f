#!/usr/bin/env bash
# Reads from replicas (issue 12, "Measured"), one run, side by side on the same servers and the same proxy:
#   1. redis-benchmark GET at -P 1 and -P 32 through one Tessera proxy with the namespace in read mode master, then
#      replica, next to group 1's master direct and twemproxy over the two masters, interleaved per round (two
#      groups, each one master and two replicas): ops/s, p99, and the CPU the
#      masters and the replicas spent per request (µs, from /proc/PID/stat) — where the reads landed.
#   2. Staleness (bench/staleness.py): a writer and a reader on separate connections, reader in prefer-replica mode
#      with read-your-writes off: how often and how far the reader is behind a write acknowledged just before, in
#      writes and in bytes of replication stream, against maxLag; and one connection writing and reading its own
#      writes with read-your-writes on: how often it misses one (it must never).
#
#   bench/reads.sh [--rounds N (3; 0: staleness only)] [-n REQUESTS (100000)] [--writes N (20000)]
# Needs redis-server, redis-benchmark, python3-redis; builds nothing (run `./tessera --help` once to build).
# Everything it starts is stopped by PID on exit (never by name); every run has a timeout.
set -euo pipefail

ROUNDS=3; N=100000; WRITES=20000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    -n) N="$2"; shift ;;
    --writes) WRITES="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "reads.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DLL="$ROOT/artifacts/bin/Tessera.Cli/release/tessera.dll"
[[ -f "$DLL" ]] || { echo "reads.sh: $DLL is missing; build it with ./tessera --help" >&2; exit 1; }
OUT="$ROOT/bench/out/reads-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
TICK=$(getconf CLK_TCK)
# A python3 with the redis module: Debian's (python3-redis), unless TESSERA_PYTHON names another.
PY=${TESSERA_PYTHON:-/usr/bin/python3}
# shellcheck source=bench/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

# Servers 0-2: group 1 (master, replica, replica); 3-5: group 2.
declare -a RPORTS=() RPIDS=()
for i in 0 1 2 3 4 5; do
  port=$(free_port)
  mkdir -p "$OUT/redis$i"
  redis-server --bind 127.0.0.1 --port "$port" --dir "$OUT/redis$i" --save "" --appendonly no --daemonize no --repl-diskless-sync-delay 0 >"$OUT/redis$i.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_port "$port" "$pid" 10 || { echo "reads.sh: redis-server $i did not start" >&2; exit 1; }
  RPORTS+=("$port"); RPIDS+=("$pid")
done

STORE="file://$OUT/store"; TOKEN="$OUT/admin.token"; CTL=$(free_port)
dotnet "$DLL" controller --store "$STORE" --listen "127.0.0.1:$CTL" --admin-token-file "$TOKEN" --log-level Warning >"$OUT/controller.log" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_port "$CTL" "$pid" 30 || { echo "reads.sh: the controller did not start (see $OUT/controller.log)" >&2; exit 1; }
for _ in $(seq 100); do [[ -s "$TOKEN" ]] && break; sleep 0.1; done
admin() { timeout 60 dotnet "$DLL" "$@" --controller "http://127.0.0.1:$CTL" --token-file "$TOKEN" >>"$OUT/admin.log" 2>&1; }
for _ in $(seq 100); do admin status && break; sleep 0.2; done
admin namespace create default --open
for g in 1 2; do
  admin group create default "$g"
  for r in 0 1 2; do admin group add default "$g" "127.0.0.1:${RPORTS[$(( (g - 1) * 3 + r ))]}"; done
done
admin slots assign default 0-511 1
admin slots assign default 512-1023 2

PORT=$(free_port); APORT=$(free_port)
dotnet "$DLL" proxy --store "$STORE" --listen "127.0.0.1:$PORT" --admin "127.0.0.1:$APORT" --log-level Warning >"$OUT/proxy.log" 2>&1 &
PPID_=$!; PIDS+=("$PPID_")
wait_port "$PORT" "$PPID_" 30 || { echo "reads.sh: the proxy did not start (see $OUT/proxy.log)" >&2; exit 1; }
info_field() { redis-cli -p "$PORT" INFO "$1" | tr -d '\r' | awk -F: -v k="$2" '$1 == k { print $2 }'; }
for _ in $(seq 150); do
  fresh=$(redis-cli -p "$PORT" INFO proxy | tr -d '\r' | grep -c 'fresh_replicas=2' || true)
  [[ "$fresh" == 2 ]] && break; sleep 0.2
done
[[ "$fresh" == 2 ]] || { echo "reads.sh: the replicas did not become fresh (see $OUT/controller.log)" >&2; exit 1; }
set_mode() {
  admin namespace set default --read-mode "$1" --read-your-writes 0
  for _ in $(seq 100); do [[ "$(info_field proxy read_mode)" == "$1" ]] && return 0; sleep 0.1; done
  echo "reads.sh: the proxy did not take read mode $1" >&2; exit 1
}
masters_ticks() { echo $(( $(cpu_ticks "${RPIDS[0]}") + $(cpu_ticks "${RPIDS[3]}") )); }
replicas_ticks() { echo $(( $(cpu_ticks "${RPIDS[1]}") + $(cpu_ticks "${RPIDS[2]}") + $(cpu_ticks "${RPIDS[4]}") + $(cpu_ticks "${RPIDS[5]}") )); }

# The references in the same run: group 1's master direct, and twemproxy over the two masters (reads at masters only:
# neither can read from replicas, which is the point of the comparison).
TW_PORT=$(free_port)
twemproxy_config "$OUT/nutcracker.yml" "$TW_PORT" "127.0.0.1:${RPORTS[0]}" "127.0.0.1:${RPORTS[3]}"
TARGETS=(direct tessera-master tessera-replica)
if start_twemproxy "$OUT/nutcracker.yml" "$TW_PORT" "$OUT/nutcracker.log"; then TARGETS+=(twemproxy); else echo "reads.sh: twemproxy did not start (see $OUT/nutcracker.log); left out" >&2; fi
target_port() { case "$1" in direct) echo "${RPORTS[0]}" ;; twemproxy) echo "$TW_PORT" ;; *) echo "$PORT" ;; esac; }
# Every target reads keys that exist on it (100-byte values): loaded through each.
for t in "${TARGETS[@]}"; do
  [[ "$t" == tessera-replica ]] && continue
  timeout 300 redis-benchmark -h 127.0.0.1 -p "$(target_port "$t")" -c 50 -d 100 -r 100000 -n 200000 -P 16 --csv -t set >/dev/null 2>&1
done
sleep 1
RES="$OUT/results.tsv"; : >"$RES"
for depth in 1 32; do
  n=$N; [[ $depth -gt 1 ]] && n=$((N * 3))
  for r in $(seq 1 "$ROUNDS"); do
    count=${#TARGETS[@]}
    for idx in $(seq 0 $((count - 1))); do
      # Rotated per round, so no target always runs first or last.
      mode=${TARGETS[$(( (idx + r) % count ))]}
      case "$mode" in tessera-master) set_mode master ;; tessera-replica) set_mode replica ;; esac
      m0=$(masters_ticks); s0=$(replicas_ticks); p0=$(cpu_ticks "$PPID_")
      line=$(timeout 300 redis-benchmark -h 127.0.0.1 -p "$(target_port "$mode")" -c 50 -d 100 -r 100000 -P "$depth" -n "$n" --csv -t get 2>/dev/null | tail -n 1)
      m1=$(masters_ticks); s1=$(replicas_ticks); p1=$(cpu_ticks "$PPID_")
      ops=$(echo "$line" | cut -d, -f2 | tr -d '"'); p99=$(echo "$line" | cut -d, -f7 | tr -d '"')
      us() { python3 -c "print(f'{($2 - $1) / $TICK * 1e6 / $n:.2f}')"; }
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$depth" "$r" "$mode" "$ops" "$p99" "$(us "$p0" "$p1")" "$(us "$m0" "$m1")" "$(us "$s0" "$s1")" | tee -a "$RES"
    done
  done
done

echo "# medians (-P, mode, ops/s, p99 ms, proxy / masters / replicas CPU µs per GET)"
python3 - "$RES" <<'EOF' | tee "$OUT/medians.txt"
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    d, r, mode, ops, p99, proxy, masters, replicas = line.rstrip("\n").split("\t")
    try:
        rows[(int(d), mode)].append((float(ops), float(p99), float(proxy), float(masters), float(replicas)))
    except ValueError:
        pass
for (d, mode), v in sorted(rows.items()):
    med = [statistics.median(x[i] for x in v) for i in range(5)]
    print(f"-P {d:<3} GET {mode:15}\t{med[0]:>10,.0f} ops/s\tp99 {med[1]:.3f} ms\tproxy {med[2]:5.2f}\tmasters {med[3]:5.2f}\treplicas {med[4]:5.2f} µs/GET")
EOF

echo "# staleness"
set_mode prefer-replica
timeout 300 "$PY" "$ROOT/bench/staleness.py" --port "$PORT" --master "${RPORTS[0]}" --master "${RPORTS[3]}" --writes "$WRITES" | tee "$OUT/staleness.txt"
admin namespace set default --read-your-writes 1000
for _ in $(seq 30); do sleep 0.1; done
timeout 300 "$PY" "$ROOT/bench/staleness.py" --port "$PORT" --master "${RPORTS[0]}" --master "${RPORTS[3]}" --writes "$WRITES" --own | tee -a "$OUT/staleness.txt"
echo "# output in $OUT"
