#!/usr/bin/env python3
"""Drives Tessera proxies with the cluster face on through redis-py's RedisCluster (Debian's python3-redis).

    python3 cluster.py --ports 19000,19001,19002 [--host 127.0.0.1] [--prefix pyc:x] [--seconds 8] [--tls --cacert CA [--cert C --key K]] [area ...]

Areas: spread multikey churn (default: all).
  spread    writes 300 keys (the test then checks on the backends that every group got some) and reads them back
  multikey  MSET/MGET/DEL/SUNIONSTORE on hash-tagged keys, and mget_nonatomic over keys of many slots
  churn     SET/GET in a loop for --seconds (while the test stops one proxy and starts another), counting errors;
            then reads every key back. It first writes <prefix>:churn:started so the test knows it runs.
Prints one JSON summary on stdout and exits 0 when every area passed, 1 when one failed, 2 on bad usage.

redis-py 4.3.4 (Debian bookworm's python3-redis) cannot re-read the table once a node it knew has gone: its
NodesManager.initialize() deep-copies connection arguments that by then hold a lock and raises
RedisClusterException ("cannot pickle '_thread.lock' object") instead of skipping the dead node, so the old table
stays. Like an application on that version, the churn area then builds a new RedisCluster from the seeds (whose
first initialize() skips a dead seed), at most once a second, and counts the failed operation as an error.
"""

import argparse
import json
import sys
import time
import traceback

import transport  # tests/clients/python/transport.py: --tls --cacert --cert --key

try:
    import redis
    from redis.cluster import ClusterNode, RedisCluster
except ImportError:
    print(json.dumps({"ok": False, "error": "the redis module is missing: install python3-redis (apt-get install python3-redis)"}))
    sys.exit(2)

AREAS = ["spread", "multikey", "churn"]
TIMEOUT = 5.0


class Failure(Exception):
    """An area's check did not hold."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def area_spread(args, rc):
    keys = [f"{args.prefix}:spread:{i}" for i in range(300)]
    for i, key in enumerate(keys):
        check(rc.set(key, str(i)) is True, f"SET {key} failed")
    values = [rc.get(key) for key in keys]
    check(values == [str(i) for i in range(300)], f"read back wrong values: {values[:5]}...")
    return {"keys": len(keys), "nodes": sorted(n.port for n in rc.get_nodes())}


def area_multikey(args, rc):
    tag = "{" + args.prefix + ":t}"
    check(rc.mset({f"{tag}a": "1", f"{tag}b": "2", f"{tag}c": "3"}) is True, "MSET with a hash tag failed")
    check(rc.mget(f"{tag}a", f"{tag}b", f"{tag}c") == ["1", "2", "3"], "MGET with a hash tag returned wrong values")
    rc.sadd(f"{tag}s1", "x", "y")
    rc.sadd(f"{tag}s2", "y", "z")
    check(rc.sunionstore(f"{tag}s3", [f"{tag}s1", f"{tag}s2"]) == 3, "SUNIONSTORE over tagged keys should store 3")
    check(rc.delete(f"{tag}a", f"{tag}b") == 2, "DEL of two tagged keys should answer 2")
    spread = {f"{args.prefix}:m:{i}": str(i) for i in range(50)}
    rc.mset_nonatomic(spread)
    check(rc.mget_nonatomic(list(spread)) == list(spread.values()), "mget_nonatomic over many slots returned wrong values")
    return {"tagged": 3, "spread": len(spread)}


class Client:
    """The RedisCluster in use, rebuilt from the seeds after redis-py 4.3.4 fails to re-read the table (see above)."""

    def __init__(self, args):
        self.args = args
        self.rebuilds = 0
        self.rebuilt = 0.0
        self.rc = self.create()

    def create(self):
        nodes = [ClusterNode(self.args.host, int(p)) for p in self.args.ports.split(",")]
        return RedisCluster(startup_nodes=nodes, decode_responses=True, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
                            **transport.connection_kwargs(self.args))

    def rebuild(self):
        if time.monotonic() - self.rebuilt < 1.0:
            return
        self.rebuilt = time.monotonic()
        self.rebuilds += 1
        old, self.rc = self.rc, self.create()
        try:
            old.close()
        except Exception:  # noqa: BLE001 - the old client may be half broken
            pass


ERRORS = (redis.exceptions.RedisError, redis.exceptions.RedisClusterException, OSError)


def area_churn(args, client):
    rc = client.rc
    rc.set(f"{args.prefix}:churn:started", "1")
    keys = [f"{args.prefix}:churn:{i}" for i in range(64)]
    last = {}
    ok = 0
    errors = []
    started = time.monotonic()
    i = 0
    while time.monotonic() - started < args.seconds:
        key = keys[i % len(keys)]
        try:
            client.rc.set(key, str(i))
            last[key] = str(i)
            check(client.rc.get(key) == str(i), f"GET {key} after SET returned something else")
            ok += 1
        # RedisClusterException is not a RedisError: redis-py raises it when re-reading the table fails.
        except ERRORS as error:
            errors.append({"at": round(time.monotonic() - started, 2), "error": f"{type(error).__name__}: {error}"})
            if isinstance(error, redis.exceptions.RedisClusterException):
                client.rebuild()
            time.sleep(0.05)
        i += 1
        time.sleep(0.005)
    for key, value in last.items():
        check(client.rc.get(key) == value, f"{key} lost its last value {value}")
    return {"ok": ok, "errors": errors, "rebuilds": client.rebuilds, "nodes": sorted(n.port for n in client.rc.get_nodes())}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--ports", required=True)
    parser.add_argument("--prefix", default="pyc:x")
    parser.add_argument("--seconds", type=float, default=8.0)
    transport.add_arguments(parser)
    parser.add_argument("areas", nargs="*")
    args = parser.parse_args()
    areas = args.areas or AREAS
    if any(a not in AREAS for a in areas):
        parser.error(f"areas are {' '.join(AREAS)}")
    client = Client(args)
    results = []
    for name in areas:
        entry = {"area": name}
        started = time.monotonic()
        try:
            entry["detail"] = globals()[f"area_{name}"](args, client if name == "churn" else client.rc)
            entry["ok"] = True
        except Exception as error:  # noqa: BLE001 - every failure goes into the summary
            entry["ok"] = False
            entry["error"] = f"{type(error).__name__}: {error}"
            entry["trace"] = traceback.format_exc()
        entry["seconds"] = round(time.monotonic() - started, 3)
        results.append(entry)
    ok = all(r["ok"] for r in results)
    print(json.dumps({"client": "redis-py RedisCluster", "version": redis.__version__, "transport": transport.describe(args), "ok": ok, "results": results}, indent=2))
    client.rc.close()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
