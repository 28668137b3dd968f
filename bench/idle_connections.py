#!/usr/bin/env python3
"""Idle-connection footprint of a proxy.

Opens N client connections, sends one PING on each (so the proxy really set up a session for
it, not just a socket in its accept queue), waits until every PONG came back, then reads the
proxy's resident memory (VmRSS in /proc/<pid>/status) and closes the connections.

Prints one JSON object on stdout. Every step is bounded by --timeout; on timeout the partial
result is printed with "complete": false.

    python3 bench/idle_connections.py --port 19000 --pid 1234 --count 10000
"""
import argparse
import json
import resource
import selectors
import socket
import sys
import time

PING = b"*1\r\n$4\r\nPING\r\n"
PONG = b"+PONG\r\n"


def rss_kb(pid: int, field: str = "VmRSS") -> int:
    """Reads one memory field (kB) of a process; -1 when the process is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except FileNotFoundError:
        return -1
    return -1


def raise_fd_limit(wanted: int) -> int:
    """Raises the soft descriptor limit as far as the hard limit allows; returns the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        soft = target
    return soft


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True, help="the proxy process whose RSS is read")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--timeout", type=float, default=120.0, help="bound on the whole test, seconds")
    args = parser.parse_args()

    deadline = time.monotonic() + args.timeout
    limit = raise_fd_limit(args.count + 256)
    result = {
        "count": args.count,
        "fd_limit": limit,
        "rss_before_mb": round(rss_kb(args.pid) / 1024, 1),
        "connected": 0,
        "ponged": 0,
        "complete": False,
        "error": None,
    }
    if limit < args.count + 64:
        result["error"] = f"descriptor limit {limit} is too low for {args.count} connections; run 'ulimit -n 65536' first"
        print(json.dumps(result))
        return 1

    started = time.monotonic()
    socks: list[socket.socket] = []
    sel = selectors.DefaultSelector()
    try:
        # Connect one by one: a burst of 10k SYNs would overflow the listen backlog and
        # measure SYN retransmits instead of the proxy.
        for _ in range(args.count):
            if time.monotonic() > deadline:
                raise TimeoutError("timed out while connecting")
            s = socket.create_connection((args.host, args.port), timeout=10)
            s.setblocking(False)
            socks.append(s)
        result["connected"] = len(socks)
        result["connect_s"] = round(time.monotonic() - started, 2)

        received = {}
        for s in socks:
            s.send(PING)
            received[s.fileno()] = b""
            sel.register(s, selectors.EVENT_READ)
        pending = len(socks)
        while pending:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"timed out waiting for PONG ({pending} missing)")
            for key, _ in sel.select(timeout=min(left, 1.0)):
                s = key.fileobj
                data = s.recv(64)
                if not data:
                    raise ConnectionError("the proxy closed an idle connection before answering PING")
                buf = received[s.fileno()] + data
                received[s.fileno()] = buf
                if len(buf) >= len(PONG):
                    if buf[: len(PONG)] != PONG:
                        raise ConnectionError(f"unexpected reply to PING: {buf[:60]!r}")
                    sel.unregister(s)
                    pending -= 1
                    result["ponged"] += 1
        result["ping_s"] = round(time.monotonic() - started, 2)

        time.sleep(1.0)  # let the proxy finish any lazy per-session work before measuring
        rss = rss_kb(args.pid)
        result["rss_idle_mb"] = round(rss / 1024, 1)
        result["hwm_mb"] = round(rss_kb(args.pid, "VmHWM") / 1024, 1)
        if rss > 0 and result["rss_before_mb"] > 0:
            result["kb_per_connection"] = round((rss - result["rss_before_mb"] * 1024) / len(socks), 1)
        result["complete"] = True
    except (OSError, TimeoutError, ConnectionError) as exc:
        result["error"] = f"{type(exc).__name__}: {exc}"
        result["rss_at_error_mb"] = round(rss_kb(args.pid) / 1024, 1)
    finally:
        sel.close()
        for s in socks:
            s.close()
    time.sleep(0.5)
    result["rss_after_close_mb"] = round(rss_kb(args.pid) / 1024, 1)
    result["elapsed_s"] = round(time.monotonic() - started, 2)
    print(json.dumps(result))
    return 0 if result["complete"] else 1


if __name__ == "__main__":
    sys.exit(main())
