#!/usr/bin/env bash
# TLS cost on the client side (issue 12, "Measured"), one run, side by side: redis-benchmark GET/SET at -P 1 and
# -P 32 against
#   redis       one redis-server's plain port, direct
#   redis-tls   the same redis-server's own TLS port (tls-port), direct
#   tessera     one Tessera proxy's plain listener (a topology file over two plain redis-servers)
#   tessera-tls the same proxy's TLS listener (--tls-listen, same certificate files)
#   twemproxy   nutcracker over the same two redis-servers, plain TCP (it has no TLS)
# Per run: ops/s, p99 and the CPU µs per request of the process serving it (redis-server or proxy). Certificates
# come from bench/tls-certs.sh (openssl, ECDSA P-256); redis-benchmark uses --tls --cacert.
#
#   bench/tls.sh [--rounds N (3)] [-n REQUESTS (100000)] [-c CLIENTS (50)]
# Needs redis-server and redis-benchmark built with TLS (Debian's are); builds nothing (run `./tessera --help` once).
# Everything it starts is stopped by PID on exit (never by name); every run has a timeout.
set -euo pipefail

ROUNDS=3; N=100000; CLIENTS=50
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) ROUNDS="$2"; shift ;;
    -n) N="$2"; shift ;;
    -c) CLIENTS="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "tls.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DLL="$ROOT/artifacts/bin/Tessera.Cli/release/tessera.dll"
[[ -f "$DLL" ]] || { echo "tls.sh: $DLL is missing; build it with ./tessera --help" >&2; exit 1; }
OUT="$ROOT/bench/out/tls-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
TICK=$(getconf CLK_TCK)
# shellcheck source=bench/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

CERTS="$OUT/certs"
"$ROOT/bench/tls-certs.sh" "$CERTS" >"$OUT/openssl.log" 2>&1 || { echo "tls.sh: making certificates failed (see $OUT/openssl.log)" >&2; exit 1; }

declare -a RPORTS=()
for i in 1 2; do
  port=$(free_port)
  redis-server --bind 127.0.0.1 --port "$port" --save "" --appendonly no --daemonize no >"$OUT/redis$i.log" 2>&1 &
  pid=$!; PIDS+=("$pid")
  wait_port "$port" "$pid" 10 || { echo "tls.sh: redis-server $i did not start" >&2; exit 1; }
  RPORTS+=("$port")
done
DIRECT=$(free_port); DIRECT_TLS=$(free_port)
redis-server --bind 127.0.0.1 --port "$DIRECT" --tls-port "$DIRECT_TLS" --tls-cert-file "$CERTS/proxy.crt" --tls-key-file "$CERTS/proxy.key" \
  --tls-ca-cert-file "$CERTS/ca.crt" --tls-auth-clients no --save "" --appendonly no --daemonize no >"$OUT/redis-direct.log" 2>&1 &
DIRECT_PID=$!; PIDS+=("$DIRECT_PID")
wait_port "$DIRECT_TLS" "$DIRECT_PID" 10 || { echo "tls.sh: the TLS redis-server did not start (see $OUT/redis-direct.log)" >&2; exit 1; }

cat >"$OUT/topology.yaml" <<EOF2
epoch: 1
namespaces:
  - name: default
    groups:
      - { id: 1, master: 127.0.0.1:${RPORTS[0]} }
      - { id: 2, master: 127.0.0.1:${RPORTS[1]} }
    slots:
      - { from: 0, to: 511, group: 1 }
      - { from: 512, to: 1023, group: 2 }
EOF2
PLAIN=$(free_port); TLS=$(free_port)
dotnet "$DLL" proxy --config "$OUT/topology.yaml" --listen "127.0.0.1:$PLAIN" --tls-listen "127.0.0.1:$TLS" \
  --tls-cert "$CERTS/proxy.crt" --tls-key "$CERTS/proxy.key" --log-level Warning >"$OUT/proxy.log" 2>&1 &
PROXY_PID=$!; PIDS+=("$PROXY_PID")
wait_port "$TLS" "$PROXY_PID" 30 || { echo "tls.sh: the proxy did not start (see $OUT/proxy.log)" >&2; exit 1; }
for _ in $(seq 100); do [[ "$(redis-cli -p "$TLS" --tls --cacert "$CERTS/ca.crt" PING 2>/dev/null)" == PONG ]] && break; sleep 0.1; done

declare -A VPORT=([redis]=$DIRECT [redis-tls]=$DIRECT_TLS [tessera]=$PLAIN [tessera-tls]=$TLS)
declare -A VPID=([redis]=$DIRECT_PID [redis-tls]=$DIRECT_PID [tessera]=$PROXY_PID [tessera-tls]=$PROXY_PID)
LABELS=(redis redis-tls tessera tessera-tls)

# twemproxy over the same two servers, plain TCP only (it has no TLS: twemproxy #446, #583) — the reference row.
TW=$(free_port)
twemproxy_config "$OUT/nutcracker.yml" "$TW" "127.0.0.1:${RPORTS[0]}" "127.0.0.1:${RPORTS[1]}"
if start_twemproxy "$OUT/nutcracker.yml" "$TW" "$OUT/nutcracker.log"; then
  VPORT[twemproxy]=$TW; VPID[twemproxy]=$TW_PID; LABELS+=(twemproxy)
else
  echo "tls.sh: twemproxy did not start (see $OUT/nutcracker.log); left out" >&2
fi
args_of() { [[ "$1" == *-tls ]] && echo "--tls --cacert $CERTS/ca.crt" || true; }
bench() { # label depth n tests -> csv line of the last test
  # shellcheck disable=SC2046 # the TLS arguments are a word list on purpose
  timeout 300 redis-benchmark -h 127.0.0.1 -p "${VPORT[$1]}" $(args_of "$1") -c "$CLIENTS" -d 100 -r 1000000 -P "$2" -n "$3" --csv -t "$4" 2>/dev/null | tail -n 1
}
for label in "${LABELS[@]}"; do
  [[ -n "$(bench "$label" 16 50000 get,set)" ]] || { echo "tls.sh: redis-benchmark against $label gave nothing" >&2; exit 1; }
done

RES="$OUT/results.tsv"; : >"$RES"
for depth in 1 32; do
  n=$N; [[ $depth -gt 1 ]] && n=$((N * 3))
  for r in $(seq 1 "$ROUNDS"); do
    for t in get set; do
      count=${#LABELS[@]}
      for idx in $(seq 0 $((count - 1))); do
        label=${LABELS[$(( (idx + r) % count ))]}; pid=${VPID[$label]}
        before=$(cpu_ticks "$pid")
        line=$(bench "$label" "$depth" "$n" "$t")
        after=$(cpu_ticks "$pid")
        ops=$(echo "$line" | cut -d, -f2 | tr -d '"'); p99=$(echo "$line" | cut -d, -f7 | tr -d '"')
        us=$(python3 -c "print(f'{($after - $before) / $TICK * 1e6 / $n:.2f}')")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$depth" "$r" "$t" "$label" "$ops" "$p99" "$us" | tee -a "$RES"
      done
    done
  done
done

echo "# medians (-P, test, variant, ops/s, p99 ms, server/proxy CPU µs/request)"
python3 - "$RES" <<'EOF2' | tee "$OUT/medians.txt"
import statistics, sys, collections
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    d, r, t, label, ops, p99, us = line.rstrip("\n").split("\t")
    try:
        rows[(int(d), t, label)].append((float(ops), float(p99), float(us)))
    except ValueError:
        pass
order = {"redis": 0, "redis-tls": 1, "twemproxy": 2, "tessera": 3, "tessera-tls": 4}
for (d, t, label), v in sorted(rows.items(), key=lambda kv: (kv[0][0], kv[0][1], order[kv[0][2]])):
    med = [statistics.median(x[i] for x in v) for i in range(3)]
    print(f"-P {d:<3} {t}\t{label:12}\t{med[0]:>10,.0f}\t{med[1]:.3f}\t{med[2]:6.2f}\t(ops/s per round: {' '.join(f'{x[0]:,.0f}' for x in v)})")
EOF2
echo "# output in $OUT"
