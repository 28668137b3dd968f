#!/usr/bin/env python3
"""Drives a Tessera proxy (or any Redis) with redis-py, the library Debian ships as python3-redis.

    python3 smoke.py --port 19000 [--host 127.0.0.1] [--prefix py:x] [--tls --cacert CA [--cert C --key K]] [area ...]

Areas: pipeline mget hashtags resp3 transaction pubsub blocking scan (default: all).
Prints one JSON summary on stdout and exits 0 when every area passed, 1 when one failed, 2 on bad usage.
Every call has a socket timeout, so a proxy that never answers fails the area instead of hanging.
"""

import argparse
import json
import sys
import threading
import time
import traceback

import transport  # tests/clients/python/transport.py: --tls --cacert --cert --key
import uuid
import zlib

try:
    import redis
except ImportError:
    print(json.dumps({"ok": False, "error": "the redis module is missing: install python3-redis (apt-get install python3-redis)"}))
    sys.exit(2)

AREAS = ["pipeline", "mget", "hashtags", "resp3", "transaction", "pubsub", "blocking", "scan"]
TIMEOUT = 10.0


class Failure(Exception):
    """An area's check did not hold; the message says what was expected and what came back."""


def check(condition, message):
    if not condition:
        raise Failure(message)


def slot(key):
    """Tessera's slot: CRC32 (IEEE) of the hash tag (or the whole key) modulo 1024."""
    start = key.find("{")
    if start >= 0:
        end = key.find("}", start + 1)
        if end > start + 1:
            key = key[start + 1:end]
    return zlib.crc32(key.encode()) % 1024


def cross_slot_pair(base):
    """Two keys under base whose slots differ, for checks that must get CROSSSLOT."""
    first = f"{base}:a"
    for i in range(1000):
        other = f"{base}:b{i}"
        if slot(other) != slot(first):
            return first, other
    raise Failure("no two keys in different slots found (cannot happen with CRC32)")


def library_version():
    return tuple(int(p) for p in redis.__version__.split(".")[:2] if p.isdigit())


def connect(args, **extra):
    return redis.Redis(host=args.host, port=args.port, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT,
                       decode_responses=True, **transport.connection_kwargs(args), **extra)


def area_pipeline(args, r):
    keys = [f"{args.prefix}:pipe:{i}" for i in range(500)]
    pipe = r.pipeline(transaction=False)
    for i, key in enumerate(keys):
        pipe.set(key, str(i))
    for key in keys:
        pipe.get(key)
    replies = pipe.execute()
    check(len(replies) == 1000, f"1000 replies expected, got {len(replies)}")
    check(all(reply is True for reply in replies[:500]), f"every SET should answer OK, got {replies[:5]}...")
    check(replies[500:] == [str(i) for i in range(500)], f"GETs came back out of order or wrong: {replies[500:510]}...")
    return {"commands": 1000}


def area_mget(args, r):
    # Keys without hash tags land in both groups: the proxy splits MSET/MGET/DEL and merges the replies.
    data = {f"{args.prefix}:m:{i}": f"v{i}" for i in range(100)}
    check(r.mset(data) is True, "MSET across groups should answer OK")
    keys = list(data) + [f"{args.prefix}:m:missing"]
    values = r.mget(keys)
    check(values == list(data.values()) + [None], f"MGET should keep the order and give None for a missing key: {values[:5]}...")
    check(r.exists(*data) == 100, "EXISTS should sum over groups")
    check(r.delete(*data) == 100, "DEL should sum over groups")
    check(r.mget(list(data)[:3]) == [None, None, None], "keys should be gone after DEL")
    return {"keys": 100}


def area_hashtags(args, r):
    tag = "{" + args.prefix + ":user}"
    a, b, dest = f"{tag}:a", f"{tag}:b", f"{tag}:dest"
    r.sadd(a, "x", "y")
    r.sadd(b, "y", "z")
    check(r.sunionstore(dest, [a, b]) == 3, "SUNIONSTORE on keys with one hash tag should work")
    check(r.rename(dest, f"{tag}:renamed") is True, "RENAME within one hash tag should work")
    check(r.smembers(f"{tag}:renamed") == {"x", "y", "z"}, "renamed set has the wrong members")
    first, second = cross_slot_pair(f"{args.prefix}:plain")
    try:
        r.sunionstore(first, [first, second])
    except redis.ResponseError as error:
        check("CROSSSLOT" in str(error), f"keys in different slots should get CROSSSLOT, got: {error}")
    else:
        raise Failure("SUNIONSTORE over keys in different slots should have been refused with CROSSSLOT")
    return {"tag": tag}


def area_resp3(args, _):
    if library_version() < (5, 0):
        raise Failure(f"redis-py {redis.__version__} cannot speak RESP3 (protocol=3 arrived in redis-py 5.0)")
    r3 = connect(args, protocol=3)
    key = f"{args.prefix}:resp3:h"
    r3.hset(key, mapping={"f1": "v1", "f2": "v2"})
    check(r3.hgetall(key) == {"f1": "v1", "f2": "v2"}, "HGETALL over RESP3 should be a map")
    hello = r3.execute_command("HELLO", 3)
    proto = hello.get("proto") if isinstance(hello, dict) else None
    check(proto == 3, f"HELLO 3 should answer proto 3, got {hello}")
    r3.close()
    return {"proto": proto}


def area_transaction(args, r):
    tag = "{" + args.prefix + ":tx}"
    a, b = f"{tag}:a", f"{tag}:b"
    pipe = r.pipeline(transaction=True)
    pipe.set(a, "1").incr(a).set(b, "x").get(a)
    replies = pipe.execute()
    check(replies == [True, 2, True, "2"], f"MULTI/EXEC replies wrong: {replies}")

    # Optimistic locking: WATCH, read, MULTI, write, EXEC (redis-py's transaction helper retries on conflict).
    def bump(p):
        value = int(p.get(a))
        p.multi()
        p.set(a, str(value + 10))

    r.transaction(bump, a)
    check(r.get(a) == "12", f"WATCH-based update should give 12, got {r.get(a)}")

    # Keys in different slots inside MULTI: refused as Redis Cluster does, and nothing is applied.
    x, y = cross_slot_pair(f"{args.prefix}:tx")
    pipe = r.pipeline(transaction=True)
    pipe.set(x, "1").set(y, "1")
    try:
        pipe.execute()
    except redis.ResponseError as error:
        check("CROSSSLOT" in str(error) or "EXECABORT" in str(error), f"cross-slot transaction should fail with CROSSSLOT: {error}")
    else:
        raise Failure("a transaction over keys in different slots should have been refused")
    check(r.exists(x, y) == 0, "a refused transaction must not write anything")
    return {"replies": replies}


def area_pubsub(args, r):
    channel = f"{args.prefix}:chan"
    p = r.pubsub()
    try:
        p.subscribe(channel)
        confirm = p.get_message(timeout=TIMEOUT)
        check(confirm is not None and confirm["type"] == "subscribe", f"expected the subscribe confirmation, got {confirm}")
        p.psubscribe(f"{args.prefix}:pat:*")
        confirm = p.get_message(timeout=TIMEOUT)
        check(confirm is not None and confirm["type"] == "psubscribe", f"expected the psubscribe confirmation, got {confirm}")

        receivers = r.publish(channel, "hello")
        check(receivers >= 1, f"PUBLISH should reach the subscriber, reached {receivers}")
        message = wait_message(p, "message")
        check(message["channel"] == channel and message["data"] == "hello", f"wrong message: {message}")

        r.publish(f"{args.prefix}:pat:news", "pattern")
        message = wait_message(p, "pmessage")
        check(message["data"] == "pattern", f"wrong pattern message: {message}")

        # A subscribed connection may still PING (redis-py sends it on the subscribed connection).
        p.ping()
        pong = wait_message(p, "pong")
        check(pong is not None, "PING while subscribed should answer")
        p.unsubscribe(channel)
        p.punsubscribe()
    finally:
        p.close()
    return {"channel": channel}


def wait_message(p, kind):
    deadline = time.monotonic() + TIMEOUT
    seen = []
    while time.monotonic() < deadline:
        message = p.get_message(timeout=max(0.01, deadline - time.monotonic()))
        if message is None:
            continue
        if message["type"] == kind:
            return message
        seen.append(message)
    raise Failure(f"no {kind} within {TIMEOUT} s; other messages: {seen}")


def area_blocking(args, r):
    empty = f"{args.prefix}:bl:empty"
    started = time.monotonic()
    check(r.blpop([empty], timeout=0.2) is None, "BLPOP on an empty list should time out with None")
    waited = time.monotonic() - started
    check(0.15 <= waited < 5, f"BLPOP 0.2 should wait about 0.2 s, waited {waited:.2f} s")

    # A blocked pop that a second connection feeds.
    key = f"{args.prefix}:bl:list"
    result = {}

    def pop():
        try:
            result["value"] = connect(args).blpop([key], timeout=5)
        except Exception as error:  # reported by the main thread
            result["error"] = repr(error)

    worker = threading.Thread(target=pop, daemon=True)
    worker.start()
    time.sleep(0.3)
    pusher = connect(args)
    pusher.rpush(key, "pushed")
    worker.join(TIMEOUT)
    check(not worker.is_alive(), "BLPOP did not return after another connection pushed")
    check("error" not in result, f"BLPOP failed: {result.get('error')}")
    check(result.get("value") == (key, "pushed"), f"BLPOP should return the pushed element, got {result.get('value')}")
    return {"waited": round(waited, 3)}


def area_scan(args, r):
    keys = {f"{args.prefix}:scan:{i}" for i in range(200)}
    r.mset({key: "v" for key in keys})
    r.hset(f"{args.prefix}:scan:hash", "f", "v")
    found = set(r.scan_iter(match=f"{args.prefix}:scan:*", count=25))
    check(found == keys | {f"{args.prefix}:scan:hash"}, f"SCAN missed {len(keys - found)} keys and returned {len(found - keys)} extra")
    hashes = set(r.scan_iter(match=f"{args.prefix}:scan:*", _type="hash"))
    check(hashes == {f"{args.prefix}:scan:hash"}, f"SCAN TYPE hash returned {hashes}")
    return {"keys": len(found)}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--prefix", default="py:" + uuid.uuid4().hex[:8], help="key prefix, so runs do not collide")
    transport.add_arguments(parser)
    parser.add_argument("areas", nargs="*", help="areas to run (default: all)")
    args = parser.parse_args()
    unknown = [a for a in args.areas if a not in AREAS]
    if unknown:
        parser.error(f"unknown area(s) {unknown}; choose from {AREAS}")

    r = connect(args)
    results = []
    for area in args.areas or AREAS:
        started = time.monotonic()
        entry = {"area": area}
        try:
            entry["detail"] = globals()["area_" + area](args, r)
            entry["ok"] = True
        except Exception as error:  # every failure is reported, then the next area runs
            entry["ok"] = False
            entry["error"] = f"{type(error).__name__}: {error}"
            entry["trace"] = traceback.format_exc()
        entry["seconds"] = round(time.monotonic() - started, 3)
        results.append(entry)

    ok = all(entry["ok"] for entry in results)
    print(json.dumps({"client": "redis-py", "version": redis.__version__, "python": sys.version.split()[0],
                      "host": args.host, "port": args.port, "transport": transport.describe(args), "ok": ok, "results": results}, indent=2, default=str))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
