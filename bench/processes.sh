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
