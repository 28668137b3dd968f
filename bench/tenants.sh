#!/usr/bin/env bash
# Tenants on the hot path and quota accuracy (issue 11, "Measured"), one run, side by side:
#   1. redis-benchmark GET/SET at -P 1 and -P 32 against direct Redis, twemproxy, and one Tessera proxy serving two
#      namespaces: "default" (open: no AUTH) and "shop" (a user with denied categories and quotas far above the
#      load, clients AUTH with --user/-a), each on its own two redis-servers. Per run: ops/s, p99, the proxy's CPU
#      µs/request, and for Tessera the bytes allocated per forwarded command (INFO proxy allocated_bytes over a
#      short and a long run: the difference is what the extra commands allocated).
#   2. Quota accuracy: a second proxy joins; "shop" gets an ops/s quota; clients over both proxies; measured total
#      rate against the quota, and "default"'s GET p99 on the same proxies alone and while shop is throttled.
#
#   bench/tenants.sh [--rounds N (3)] [-n REQUESTS (100000)] [--quota OPS (4000)]
# Needs redis-server, redis-benchmark and nutcracker; builds nothing (run `./tessera --help` once to build).
# Everything it starts is stopped by PID on exit (never by name); every run has a timeout.
set -euo pipefail

ROUNDS=3; N=100000; QUOTA=4000
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    -n) N="$2"; shift ;;
    --quota) QUOTA="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "tenants.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DLL="$ROOT/artifacts/bin/Tessera.Cli/release/tessera.dll"
[[ -f "$DLL" ]] || { echo "tenants.sh: $DLL is missing; build it with ./tessera --help" >&2; exit 1; }
OUT="$ROOT/bench/out/tenants-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
TICK=$(getconf CLK_TCK)
# shellcheck source=bench/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

declare -a RPORTS=()
for i in 1 2 3 4 5; do
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no >"$OUT/redis$i.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_port "$port" "$pid" 10 || { echo "tenants.sh: redis-server $i did not start" >&2; exit 1; }
  RPORTS+=("$port")
done
# Servers 1-2: default, 3-4: shop, 5: direct Redis. twemproxy spreads over 1-2.
NUT=$(free_port)
twemproxy_config "$OUT/nutcracker.yml" "$NUT" "127.0.0.1:${RPORTS[0]}" "127.0.0.1:${RPORTS[1]}"
start_twemproxy "$OUT/nutcracker.yml" "$NUT" "$OUT/nutcracker.log" || { echo "tenants.sh: nutcracker did not start (see $OUT/nutcracker.log)" >&2; exit 1; }
NUT_PID=$TW_PID

STORE="file://$OUT/store"; TOKEN="$OUT/admin.token"; CTL=$(free_port)
dotnet "$DLL" controller --store "$STORE" --listen "127.0.0.1:$CTL" --admin-token-file "$TOKEN" --log-level Warning >"$OUT/controller.log" 2>&1 &
pid=$!; PIDS+=("$pid")
wait_port "$CTL" "$pid" 30 || { echo "tenants.sh: the controller did not start (see $OUT/controller.log)" >&2; exit 1; }
for _ in $(seq 100); do [[ -s "$TOKEN" ]] && break; sleep 0.1; done
admin() { timeout 60 dotnet "$DLL" "$@" --controller "http://127.0.0.1:$CTL" --token-file "$TOKEN" >>"$OUT/admin.log" 2>&1; }
for _ in $(seq 100); do admin status && break; sleep 0.2; done
admin namespace create default --open
admin namespace create shop
i=0
for ns in default shop; do
  for g in 1 2; do
    admin group create "$ns" "$g"
    admin group add "$ns" "$g" "127.0.0.1:${RPORTS[$i]}"; i=$((i + 1))
  done
  admin slots assign "$ns" 0-511 1
  admin slots assign "$ns" 512-1023 2
done
admin namespace user add shop app --password bench-shop-secret --deny @admin,@dangerous
# INFO is @dangerous, denied to app: the script reads the proxy's counters as this user.
admin namespace user add shop ops --password bench-shop-ops
# Far above what this machine can do: the bucket is checked on every command but never empties.
admin namespace set shop --max-ops 100000000 --max-bytes 100000000000 --max-connections 100000 --max-request-bytes 100000000

start_proxy() {
  local port admin_port pid
  port=$(free_port); admin_port=$(free_port)
  dotnet "$DLL" proxy --store "$STORE" --listen "127.0.0.1:$port" --admin "127.0.0.1:$admin_port" --log-level Warning >"$OUT/proxy-$1.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_port "$port" "$pid" 30 || { echo "tenants.sh: proxy $1 did not start (see $OUT/proxy-$1.log)" >&2; exit 1; }
  echo "$port $pid"
}
read -r P1 P1_PID < <(start_proxy 1)
AUTH=(--user shop -a bench-shop-secret)
for _ in $(seq 100); do [[ "$(redis-cli -p "$P1" --no-auth-warning "${AUTH[@]}" PING 2>/dev/null)" == PONG ]] && break; sleep 0.1; done
info_field() { redis-cli -p "$1" --no-auth-warning --user shop -a bench-shop-ops INFO "$2" | tr -d '\r' | awk -F: -v k="$3" '$1 == k { print $2 }'; }

# variant label -> "port pid extra-args"
declare -A VPORT=([redis]=${RPORTS[4]} [twemproxy]=$NUT [tessera-open]=$P1 [tessera-auth]=$P1)
declare -A VPID=([redis]=${PIDS[4]} [twemproxy]=$NUT_PID [tessera-open]=$P1_PID [tessera-auth]=$P1_PID)
LABELS=(redis twemproxy tessera-open tessera-auth)
args_of() { [[ "$1" == tessera-auth ]] && echo "--user shop -a bench-shop-secret" || true; }
bench() { # label depth n tests -> csv line of the last test
  # shellcheck disable=SC2046 # the auth arguments are a word list on purpose
  timeout 300 redis-benchmark -h 127.0.0.1 -p "${VPORT[$1]}" $(args_of "$1") -c 50 -d 100 -r 1000000 -P "$2" -n "$3" --csv -t "$4" 2>/dev/null | tail -n 1
}
for label in "${LABELS[@]}"; do bench "$label" 16 100000 get,set >/dev/null || true; done

RES="$OUT/results.tsv"; : >"$RES"
for depth in 1 32; do
  n=$N; [[ $depth -gt 1 ]] && n=$((N * 3))
  for r in $(seq 1 "$ROUNDS"); do
    for t in get set; do
      k=0
      for idx in 0 1 2 3; do
        label=${LABELS[$(( (idx + r) % 4 ))]}; pid=${VPID[$label]}
        before=$(cpu_ticks "$pid")
        line=$(bench "$label" "$depth" "$n" "$t")
        after=$(cpu_ticks "$pid")
        ops=$(echo "$line" | cut -d, -f2 | tr -d '"'); p99=$(echo "$line" | cut -d, -f7 | tr -d '"')
        us=$(python3 -c "print(f'{($after - $before) / $TICK * 1e6 / $n:.2f}')")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$depth" "$r" "$t" "$label" "$ops" "$p99" "$us" | tee -a "$RES"
        k=$((k + 1))
      done
    done
  done
done

echo "# allocations per forwarded command (INFO proxy allocated_bytes; long run minus short run, less the proxy's idle allocation over the extra time)"
# A store-backed proxy allocates a little with time (the store watch, lease renewals): measured idle, then subtracted.
i0=$(info_field "$P1" proxy allocated_bytes); t0=$(date +%s.%N); sleep 5; i1=$(info_field "$P1" proxy allocated_bytes); t1=$(date +%s.%N)
idle=$(python3 -c "print(($i1 - $i0) / ($t1 - $t0))")
echo "idle allocation: $(python3 -c "print(f'{$idle:,.0f}')") B/s" | tee "$OUT/alloc.txt"
for label in tessera-open tessera-auth; do
  for depth in 1 32; do
    a0=$(info_field "$P1" proxy allocated_bytes); c0=$(info_field "$P1" stats total_commands_processed); s0=$(date +%s.%N)
    bench "$label" "$depth" 20000 get,set >/dev/null
    a1=$(info_field "$P1" proxy allocated_bytes); c1=$(info_field "$P1" stats total_commands_processed); s1=$(date +%s.%N)
    bench "$label" "$depth" 200000 get,set >/dev/null
    a2=$(info_field "$P1" proxy allocated_bytes); c2=$(info_field "$P1" stats total_commands_processed); s2=$(date +%s.%N)
    python3 -c "
short, long = $a1 - $a0, $a2 - $a1
extra_time = ($s2 - $s1) - ($s1 - $s0)
extra_commands = ($c2 - $c1) - ($c1 - $c0)
print(f'$label -P $depth: {(long - short - $idle * extra_time) / extra_commands:.3f} B/command (short run {short:,} B, long run {long:,} B, {extra_time:.2f} s longer)')" | tee -a "$OUT/alloc.txt"
  done
done

echo "# medians (-P, test, variant, ops/s, p99 ms, proxy CPU µs/request)"
python3 - "$RES" <<'EOF' | tee "$OUT/medians.txt"
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    d, r, t, label, ops, p99, us = line.rstrip("\n").split("\t")
    try:
        rows[(int(d), t, label)].append((float(ops), float(p99), float(us)))
    except ValueError:
        pass
for (d, t, label), v in sorted(rows.items()):
    med = [statistics.median(x[i] for x in v) for i in range(3)]
    print(f"-P {d:<3} {t}\t{label:14}\t{med[0]:>10,.0f}\t{med[1]:.3f}\t{med[2]:6.2f}\t(us/op per round: {' '.join(f'{x[2]:.2f}' for x in v)})")
EOF

echo "# quota accuracy: shop limited to $QUOTA ops/s cluster-wide, clients over two proxies"
read -r P2 P2_PID < <(start_proxy 2)
admin namespace set shop --max-ops "$QUOTA"
for _ in $(seq 100); do
  s1=$(info_field "$P1" proxy quota_ops_share); s2=$(info_field "$P2" proxy quota_ops_share)
  [[ "$s1" == "$(python3 -c "print(f'{$QUOTA/2:g}')")" && "$s2" == "$s1" ]] && break; sleep 0.2
done
echo "shares: proxy 1 $s1 ops/s, proxy 2 $s2 ops/s" | tee "$OUT/quota.txt"
base=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$P1" -c 10 -n 20000 --csv -t get 2>/dev/null | tail -n 1 | cut -d, -f7 | tr -d '"')
per=$(( QUOTA * 8 / 2 ))  # eight seconds' worth per proxy
t0=$(date +%s.%N)
timeout 120 redis-benchmark -h 127.0.0.1 -p "$P1" "${AUTH[@]}" -c 20 -n "$per" --csv -t set >"$OUT/quota-p1.csv" 2>/dev/null &
b1=$!
timeout 120 redis-benchmark -h 127.0.0.1 -p "$P2" "${AUTH[@]}" -c 20 -n "$per" --csv -t set >"$OUT/quota-p2.csv" 2>/dev/null &
b2=$!
sleep 2
during=$(timeout 120 redis-benchmark -h 127.0.0.1 -p "$P1" -c 10 -n 20000 --csv -t get 2>/dev/null | tail -n 1 | cut -d, -f7 | tr -d '"')
wait "$b1" "$b2"
t1=$(date +%s.%N)
python3 - "$per" "$t0" "$t1" "$QUOTA" "$base" "$during" <<'EOF' | tee -a "$OUT/quota.txt"
import sys
per, t0, t1, quota, base, during = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6]
rate = 2 * per / (t1 - t0)
print(f"shop: {2 * per} SETs over two proxies in {t1 - t0:.2f} s = {rate:,.0f} ops/s against a quota of {quota:,} ops/s ({(rate / quota - 1) * 100:+.1f}%)")
print(f"default (same proxies, no quota): GET p99 {base} ms alone, {during} ms while shop is throttled")
EOF
echo "# output in $OUT"
