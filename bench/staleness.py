"""How far reads from replicas lag acknowledged writes, through a Tessera proxy (used by bench/reads.sh).

Default: a writer connection SETs key k to 1, 2, 3 ... and after each acknowledgement a reader connection (another
client, so read-your-writes does not apply) GETs k. A read that answers less than the value just acknowledged is
stale; how far is counted in writes and, from the masters' replication offsets over the run, in bytes of
replication stream. --own: one connection SETs and GETs its own key (read-your-writes must make every read fresh).
"""
import argparse
import time

import redis

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--master", type=int, action="append", default=[], help="a master's port (its offset gives bytes per write)")
parser.add_argument("--writes", type=int, default=20000)
parser.add_argument("--own", action="store_true")
args = parser.parse_args()

writer = redis.Redis(port=args.port, socket_timeout=10)
reader = writer if args.own else redis.Redis(port=args.port, socket_timeout=10)
masters = [redis.Redis(port=p, socket_timeout=10) for p in args.master]
offset = lambda: sum(m.info("replication")["master_repl_offset"] for m in masters)
key = "staleness:own" if args.own else "staleness:shared"
before = offset()
stale, worst = 0, 0
start = time.monotonic()
for i in range(1, args.writes + 1):
    writer.set(key, i)
    seen = int(reader.get(key) or 0)
    if seen < i:
        stale += 1
        worst = max(worst, i - seen)
elapsed = time.monotonic() - start
per_write = (offset() - before) / args.writes
replica_reads = int(writer.info("proxy").get("replica_reads", 0))
what = "own writes, read-your-writes on" if args.own else "another client's writes, read-your-writes off"
print(f"{what}: {args.writes} write+read pairs in {elapsed:.1f} s; stale reads {stale} ({stale / args.writes:.2%}); "
      f"worst {worst} write(s) behind = {worst * per_write:.0f} bytes of replication stream ({per_write:.0f} B/write; maxLag 1048576); "
      f"proxy replica_reads so far {replica_reads}")
