# Shared by the bench scripts (sourced, not run): processes started are stopped by PID on exit (never by name),
# free loopback ports, and checks that a port is held by the process we started.
declare -a PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port in 20000-30000 on 127.0.0.1 (bind-checked).
free_port() {
  python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randint(20000, 30000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); s.close(); print(p); break
    except OSError:
        s.close()
PY
}

# holds_port PORT PID: the process PID listens on PORT.
holds_port() { ss -ltnpH "( sport = :$1 )" 2>/dev/null | grep -q "pid=$2,"; }

# cpu_ticks PID: user + system clock ticks of the process so far.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# wait_port PORT PID SECONDS: waits until PID listens on PORT; fails when PID exits or the time is up.
wait_port() { for _ in $(seq 1 $(( $3 * 10 ))); do kill -0 "$2" 2>/dev/null || return 1; holds_port "$1" "$2" && return 0; sleep 0.1; done; return 1; }

# twemproxy_config FILE PORT SERVER...: the nutcracker pool every bench script compares against, on 127.0.0.1:PORT over
# the redis-servers SERVER (host:port): fnv1a_64 / ketama, no ejection, connections made up front, 5 s timeout.
twemproxy_config() {
  local file=$1 port=$2 i=1 server; shift 2
  {
    printf 'bench:\n  listen: 127.0.0.1:%s\n  hash: fnv1a_64\n  distribution: ketama\n  redis: true\n' "$port"
    printf '  auto_eject_hosts: false\n  preconnect: true\n  timeout: 5000\n  servers:\n'
    for server in "$@"; do printf '   - %s:1 g%s\n' "$server" "$i"; i=$((i + 1)); done
  } >"$file"
}

# start_twemproxy FILE PORT LOG: starts nutcracker (Debian's, in /usr/sbin) on FILE, its pid in TW_PID and PIDS; fails
# when it is not installed or does not listen on PORT within 10 s.
start_twemproxy() {
  local bin; bin=$(command -v nutcracker || echo /usr/sbin/nutcracker)
  [[ -x "$bin" ]] || { echo "nutcracker is not installed (apt-get install nutcracker)" >&2; return 1; }
  "$bin" -c "$1" -s "$(free_port)" -a 127.0.0.1 >"$3" 2>&1 &
  TW_PID=$!; PIDS+=("$TW_PID")
  wait_port "$2" "$TW_PID" 10
}
