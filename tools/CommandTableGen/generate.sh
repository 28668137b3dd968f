#!/usr/bin/env bash
# Regenerates src/Tessera.Resp/Commands/redis-commands.json from a throwaway redis-server.
# Run by a person after installing a new Redis (the output is committed); not part of the build or CI.
#
#   tools/CommandTableGen/generate.sh            # uses redis-server from PATH
#   REDIS_SERVER=/opt/redis/bin/redis-server tools/CommandTableGen/generate.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
output="$repo/src/Tessera.Resp/Commands/redis-commands.json"
redis_server="${REDIS_SERVER:-redis-server}"
command -v "$redis_server" >/dev/null || { echo "generate.sh: $redis_server not found; install Redis 7.0 or set REDIS_SERVER." >&2; exit 1; }

work="$(mktemp -d)"
pid=""
cleanup() {
  # Stop only the server this script started, by its PID.
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A free loopback port: ask the kernel for one, then check nothing listens there.
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)))"
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "generate.sh: port $port is already in use; run again." >&2; exit 1
fi

"$redis_server" --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$work" --logfile "$work/redis.log" &
pid=$!

# Wait (bounded) until our server answers, and make sure it is ours.
ready=""
for _ in $(seq 100); do
  if ! kill -0 "$pid" 2>/dev/null; then echo "generate.sh: redis-server exited; its log:" >&2; cat "$work/redis.log" >&2; exit 1; fi
  if served_pid="$(redis-cli -h 127.0.0.1 -p "$port" INFO server 2>/dev/null | tr -d '\r' | sed -n 's/^process_id://p')" && [[ -n "$served_pid" ]]; then
    ready=1; break
  fi
  sleep 0.1
done
[[ -n "$ready" ]] || { echo "generate.sh: redis-server did not answer on 127.0.0.1:$port within 10 s; log:" >&2; cat "$work/redis.log" >&2; exit 1; }
[[ "$served_pid" == "$pid" ]] || { echo "generate.sh: 127.0.0.1:$port is served by pid $served_pid, not by our redis-server ($pid)." >&2; exit 1; }

dotnet run --project "$here/CommandTableGen.csproj" -p:ArtifactsPath="${ARTIFACTS_PATH:-$work/artifacts}" -- \
  --host 127.0.0.1 --port "$port" --output "$output"
