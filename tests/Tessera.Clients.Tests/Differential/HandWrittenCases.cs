namespace Tessera.Clients.Tests.Differential;

/// <summary>
/// Command sequences written by hand: the data types, pipelines, transactions, scripts, blocking commands woken by
/// another client, pub/sub between two clients, RESP3, and errors. Keys share the hash tag {t} so multi-key
/// commands stay in one slot, except in the cases about CROSSSLOT.
/// </summary>
public static class HandWrittenCases
{
    public static IReadOnlyList<DiffCase> All { get; } =
    [
        Case("strings",
            "SET {t}s hello", "GET {t}s", "APPEND {t}s -world", "STRLEN {t}s", "GETRANGE {t}s 0 4", "SETRANGE {t}s 0 J",
            "INCR {t}n", "INCRBY {t}n 41", "DECR {t}n", "INCRBYFLOAT {t}f 1.5", "GETDEL {t}n", "SETNX {t}s x", "MSETNX {t}a 1 {t}b 2",
            "MGET {t}s {t}a {t}missing", "SET {t}e v EX 100 NX", "GETEX {t}e PERSIST", "TTL {t}e", "TYPE {t}s", "EXISTS {t}s {t}missing"),
        Case("lists",
            "RPUSH {t}l a b c d", "LPUSH {t}l z", "LRANGE {t}l 0 -1", "LLEN {t}l", "LINDEX {t}l 2", "LPOP {t}l", "RPOP {t}l 2",
            "LINSERT {t}l BEFORE b x", "LPOS {t}l b", "LSET {t}l 0 q", "LREM {t}l 1 q", "LMOVE {t}l {t}l2 LEFT RIGHT", "LRANGE {t}l2 0 -1",
            "LTRIM {t}l 0 0", "LMPOP 2 {t}l {t}l2 LEFT COUNT 5", "LPUSHX {t}none a"),
        Case("hashes",
            "HSET {t}h a 1 b 2 c 3", "HGET {t}h a", "HMGET {t}h a x c", "HGETALL {t}h", "HINCRBY {t}h a 10", "HINCRBYFLOAT {t}h b 0.5",
            "HDEL {t}h c x", "HLEN {t}h", "HKEYS {t}h", "HVALS {t}h", "HEXISTS {t}h a", "HSETNX {t}h a 9", "HSTRLEN {t}h a"),
        // Sets of strings are hash tables in Redis 7.0, whose order depends on the server's random hash seed.
        Case("sets",
            Call(0, "SADD {t}s1 a b c"), Call(0, "SADD {t}s2 b c d"), Call(0, "SCARD {t}s1"), Call(0, "SISMEMBER {t}s1 a"), Call(0, "SMISMEMBER {t}s1 a z"),
            Unordered("SINTER {t}s1 {t}s2"), Unordered("SDIFF {t}s1 {t}s2"), Call(0, "SUNIONSTORE {t}s3 {t}s1 {t}s2"), Call(0, "SCARD {t}s3"),
            Call(0, "SMOVE {t}s1 {t}s2 a"), Call(0, "SREM {t}s2 a b"), Call(0, "SINTERCARD 2 {t}s1 {t}s2"), Unordered("SMEMBERS {t}s3"),
            Call(0, "SADD {t}one x"), Call(0, "SRANDMEMBER {t}one"), Call(0, "SPOP {t}one"), Call(0, "SADD {t}n 1 2 3"), Call(0, "SMEMBERS {t}n")),
        Case("sorted sets",
            "ZADD {t}z 1 a 2 b 3 c", "ZSCORE {t}z b", "ZRANGE {t}z 0 -1 WITHSCORES", "ZRANGEBYSCORE {t}z (1 +inf", "ZREVRANK {t}z a",
            "ZINCRBY {t}z 2.5 a", "ZCOUNT {t}z -inf +inf", "ZPOPMIN {t}z", "ZADD {t}z2 10 b", "ZUNIONSTORE {t}zu 2 {t}z {t}z2 WEIGHTS 1 2",
            "ZRANGE {t}zu 0 -1 WITHSCORES", "ZINTER 2 {t}z {t}z2", "ZMSCORE {t}z a b x", "ZREM {t}z a", "ZCARD {t}z"),
        Case("streams",
            "XADD {t}x 1-1 f v", "XADD {t}x 2-1 f w", "XLEN {t}x", "XRANGE {t}x - +", "XREVRANGE {t}x + - COUNT 1", "XREAD COUNT 5 STREAMS {t}x 0",
            "XGROUP CREATE {t}x g 0", "XREADGROUP GROUP g c COUNT 1 STREAMS {t}x >", "XACK {t}x g 1-1", "XPENDING {t}x g", "XDEL {t}x 2-1",
            "XTRIM {t}x MAXLEN 0", "XADD {t}x 1-0 f v"),
        Case("keys and expiry",
            "SET {t}k v", "EXPIRE {t}k 100", "TTL {t}k", "PERSIST {t}k", "PTTL {t}k", "RENAME {t}k {t}k2", "EXISTS {t}k {t}k2", "COPY {t}k2 {t}k3",
            "DEL {t}k2 {t}k3 {t}missing", "SET {t}k v", "OBJECT ENCODING {t}k", "DUMP {t}missing", "UNLINK {t}k", "TYPE {t}k"),
        Case("split commands across groups",
            "MSET a 1 b 2 c 3 d 4", "MGET d c b a missing", "EXISTS a b c d missing", "TOUCH a b", "DEL a b c", "UNLINK d", "MGET a d"),
        Case("pipelined",
            Step.Pipelined(0,
                Words("SET {t}p 1"), Words("INCR {t}p"), Words("GET {t}p"), Words("RPUSH {t}pl a b"), Words("LRANGE {t}pl 0 -1"),
                Words("INCR {t}pl"), Words("NOSUCHCOMMAND x"), Words("GET"), Words("MGET a b c"), Words("PING"), Words("ECHO done"))),
        Case("transaction",
            "MULTI", "SET {t}k 1", "INCR {t}k", "GET {t}k", "EXEC", "MULTI", "INCR {t}k", "DISCARD", "GET {t}k"),
        Case("transaction aborted by a queue error",
            "MULTI", "SET {t}k 1", "INCR", "NOSUCHCOMMAND", "EXEC", "GET {t}k"),
        Case("transaction with a runtime error",
            "SET {t}str x", "MULTI", "INCR {t}str", "SET {t}k 1", "EXEC", "GET {t}k"),
        Case("watch, touched by another client",
            Call(0, "SET {t}w 1"), Call(0, "WATCH {t}w"), Call(1, "SET {t}w 2"), Call(0, "MULTI"), Call(0, "SET {t}w 3"), Call(0, "EXEC"), Call(0, "GET {t}w")),
        Case("watch then unwatch",
            Call(0, "SET {t}w 1"), Call(0, "WATCH {t}w"), Call(0, "UNWATCH"), Call(1, "SET {t}w 2"), Call(0, "MULTI"), Call(0, "INCR {t}w"), Call(0, "EXEC")),
        Case("nested multi and exec without multi",
            "EXEC", "DISCARD", "MULTI", "MULTI", "PING", "EXEC"),
        Case("scripts",
            Step.Call(0, "EVAL", "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('GET', KEYS[1])", "1", "{t}k", "v"),
            Step.Call(0, "EVAL", "return {KEYS[1], KEYS[2], ARGV[1], 3, 'x'}", "2", "{t}a", "{t}b", "arg"),
            Step.Call(0, "EVAL", "return redis.call('INCR', KEYS[1])", "1", "{t}k"),
            Step.Call(0, "EVAL", "return redis.error_reply('MY failure')", "0"),
            Step.Call(0, "SCRIPT", "LOAD", "return ARGV[1]"),
            Step.Call(0, "EVALSHA", "4a2267357833227dd98abdedb8cf24b15a986445", "0", "x"),
            Step.Call(0, "SCRIPT", "EXISTS", "4a2267357833227dd98abdedb8cf24b15a986445", "0000000000000000000000000000000000000000"),
            Step.Call(0, "EVALSHA", "0000000000000000000000000000000000000000", "0"),
            Step.Call(0, "EVAL", "return 1", "-1")),
        Case("blocking pop woken by another client",
            Step.Send(0, Words("BLPOP {t}q 2")), Call(1, "RPUSH {t}q a b"), Step.Read(0), Call(1, "LRANGE {t}q 0 -1")),
        Case("blocking move woken by another client",
            Step.Send(0, Words("BLMOVE {t}src {t}dst LEFT RIGHT 2")), Call(1, "RPUSH {t}src x"), Step.Read(0), Call(1, "LRANGE {t}dst 0 -1"),
            Call(0, "BLPOP {t}empty 0.05")),
        Case("blocking sorted-set pop and stream read",
            Step.Send(0, Words("BZPOPMIN {t}bz 2")), Call(1, "ZADD {t}bz 1 m"), Step.Read(0),
            Call(1, "XADD {t}bx 1-1 f v"), Call(0, "XREAD COUNT 1 STREAMS {t}bx 0")),
        Case("publish and subscribe",
            Call(0, "SUBSCRIBE news"), Call(1, "PUBLISH news hello"), Step.Read(0), Call(0, "SUBSCRIBE other"), Call(1, "PUBLISH other x"),
            Step.Read(0), Call(0, "PING"), Call(0, "UNSUBSCRIBE news"), Call(0, "UNSUBSCRIBE"), Call(0, "PING"), Call(1, "PUBLISH nobody x")),
        Case("sharded pub/sub and introspection",
            Call(0, "SSUBSCRIBE {t}c1 {t}c2"), Call(1, "SPUBLISH {t}c1 m"), Step.Read(0), Call(1, "PUBSUB SHARDCHANNELS").Normalised(Normalise.Unordered), Call(1, "PUBSUB SHARDNUMSUB {t}c1 x"),
            Call(2, "SUBSCRIBE a b"), Step.Read(2), Call(1, "PUBSUB NUMSUB a b c"), Call(1, "PUBSUB NUMPAT"), Call(0, "SUNSUBSCRIBE {t}c1 {t}c2"), Step.Read(0)),
        Case("pattern subscribe",
            Call(0, "PSUBSCRIBE n*"), Call(1, "PUBLISH news hi"), Step.Read(0), Call(0, "PUNSUBSCRIBE n*")),
        Case("resp3",
            Call(0, "HELLO 3").Normalised(Normalise.Shape), Call(0, "HSET {t}h a 1"), Call(0, "HGETALL {t}h"), Call(0, "SADD {t}s x"), Call(0, "SMEMBERS {t}s"),
            Call(0, "ZADD {t}z 1.5 m"), Call(0, "ZSCORE {t}z m"), Call(0, "ZRANGE {t}z 0 -1 WITHSCORES"), Call(0, "GET {t}missing"),
            Call(0, "EXISTS {t}h"), Call(0, "NOSUCH"), Call(0, "SUBSCRIBE c3"), Call(1, "PUBLISH c3 m"), Step.Read(0)),
        Case("errors",
            "SET {t}str x", "LPUSH {t}str a", "HGET {t}str f", "INCR {t}str", "GET", "SET {t}k", "NOSUCHCOMMAND a b", "SET {t}k v EX", "SET {t}k v EX -1",
            "SET {t}k v XX NX", "ZADD {t}z x a", "LRANGE {t}str a b", "OBJECT NOSUCH", "CONFIG", "XADD {t}x bad f v", "EXPIRE {t}k abc",
            "SELECT 1", "SELECT x", "PING a b", "ECHO"),
        Case("answered by the proxy",
            Call(0, "PING"), Call(0, "PING hi"), Call(0, "ECHO x"), Call(0, "SELECT 0"), Call(0, "DBSIZE"), Call(0, "TIME").Normalised(Normalise.Shape),
            Call(0, "CLIENT SETNAME me"), Call(0, "CLIENT GETNAME"), Call(0, "CLIENT ID").Normalised(Normalise.Shape),
            Call(0, "COMMAND COUNT"), Call(0, "COMMAND INFO get"), Call(0, "COMMAND GETKEYS SET {t}a b"), Call(0, "INFO keyspace").Normalised(Normalise.Shape)),
        Case("command introspection",
            "COMMAND INFO get nosuch", "COMMAND DOCS get", "COMMAND GETKEYS GET", "COMMAND GETKEYS NOSUCH a", "COMMAND GETKEYS MSET {t}a 1 {t}b 2",
            "COMMAND GETKEYSANDFLAGS LMOVE {t}a {t}b LEFT RIGHT", "COMMAND NOSUCH", "COMMAND HELP", "CLIENT NOSUCH",
            "CLIENT NO-EVICT on", "CLIENT GETREDIR", "CLIENT TRACKINGINFO", "CLIENT SETINFO LIB-NAME x", "OBJECT HELP", "WAIT 0 0"),
        new("blocking in resp3 and inside a transaction",
        [
            Call(0, "HELLO 3").Normalised(Normalise.Shape),
            .. Calls("BLPOP {t}e 0.05", "BZPOPMIN {t}z 0.05", "XREAD BLOCK 50 STREAMS {t}x $", "XADD {t}x 1-1 f v", "XREAD BLOCK 50 STREAMS {t}x 0",
                "MULTI", "BLPOP {t}e 0", "EXEC", "SUBSCRIBE c", "GET {t}k", "UNSUBSCRIBE c"),
        ]),
        Case("cross-slot",
            Call(0, "SET a 1"), Call(0, "SUNION a b"), Call(0, "RENAME a b"), Call(0, "MSETNX a 1 b 2"),
            Step.Call(0, "EVAL", "return redis.call('GET', KEYS[1])", "2", "a", "b"),
            Call(0, "MULTI"), Call(0, "SET a 2"), Call(0, "SET b 2"), Call(0, "EXEC")),
        Case("transaction commands out of place",
            "MULTI", "WATCH {t}k", "SET {t}k 1", "EXEC", "WATCH {t}k", "MULTI", "EXEC", "UNWATCH", "UNWATCH"),
        Case("pipelined transaction and blocking command",
            Step.Pipelined(0, Words("MULTI"), Words("INCR {t}c"), Words("INCR {t}c"), Words("EXEC"), Words("BLPOP {t}none 0.05"), Words("GET {t}c"), Words("PING"))),
        Case("values",
            Step.Call(0, "SET", "{t}empty", ""), Step.Call(0, "GET", "{t}empty"), Step.Call(0, "SET", "{t}bin", "a\0b\r\nc"), Step.Call(0, "GET", "{t}bin"),
            Step.Call(0, "SET", "{t}big", new string('x', 100_000)), Step.Call(0, "STRLEN", "{t}big"), Step.Call(0, "GETRANGE", "{t}big", "99990", "-1"),
            Step.Call(0, "SET", "{t}ü", "✓"), Step.Call(0, "GET", "{t}ü")),
        Case("keyspace",
            Call(0, "MSET a 1 b 2 c 3"), Call(0, "DBSIZE"), Unordered("KEYS *"), Unordered("KEYS a*"), Call(0, "DEL a b"), Call(0, "RANDOMKEY"),
            Call(0, "DEL c"), Call(0, "RANDOMKEY"), Call(0, "SCAN 0").Normalised(Normalise.Shape)),
        Case("connection state",
            Call(0, "HELLO 2").Normalised(Normalise.Shape), Call(0, "HELLO 3").Normalised(Normalise.Shape), Call(0, "HELLO 2").Normalised(Normalise.Shape),
            Call(0, "HELLO 4"), Call(0, "CLIENT SETNAME a"), Call(0, "RESET"), Call(0, "CLIENT GETNAME"), Call(0, "CLIENT LIST").Normalised(Normalise.Shape),
            Call(0, "QUIT"), Step.Read(0)),
        Case("subscribed connection refuses other commands",
            Call(0, "SUBSCRIBE ch"), Call(0, "GET {t}k"), Call(0, "PSUBSCRIBE p*"), Call(0, "PUNSUBSCRIBE"), Call(0, "UNSUBSCRIBE"), Call(0, "GET {t}k")),
        Case("script errors",
            Step.Call(0, "EVAL", "return redis.call('NOSUCH')", "0"), Step.Call(0, "EVAL", "return redis.call('GET')", "0"),
            Step.Call(0, "EVAL", "syntax error here", "0"), Step.Call(0, "EVAL", "return redis.call('INCR', KEYS[1])", "1", "{t}s"),
            Step.Call(0, "SET", "{t}s", "x"), Step.Call(0, "EVAL", "return redis.pcall('INCR', KEYS[1])", "1", "{t}s"),
            Step.Call(0, "FCALL", "nosuch", "0")),
        Case("refused",
            "FLUSHALL", "CONFIG GET maxmemory", "CLUSTER ADDSLOTS 1", "MOVE {t}k 1"),

        // CLIENT REPLY: OFF and SKIP answer nothing (sent without waiting), OFF silences until ON, SKIP the next reply;
        // SKIP while OFF changes nothing; RESET turns replies on. The next read takes the next reply that is sent.
        Case("client reply",
            Silent("CLIENT REPLY OFF"), Silent("SET {t}a 1"), Silent("GET {t}a"), Call(0, "CLIENT REPLY ON"), Call(0, "GET {t}a"),
            Silent("CLIENT REPLY SKIP"), Silent("SET {t}a 2"), Call(0, "GET {t}a"),
            Silent("CLIENT REPLY OFF"), Silent("CLIENT REPLY SKIP"), Silent("GET {t}a"), Silent("CLIENT REPLY FOO"), Call(0, "CLIENT REPLY ON"),
            Silent("CLIENT REPLY OFF"), Call(0, "RESET"), Call(0, "PING"),
            Call(0, "CLIENT REPLY"), Call(0, "CLIENT REPLY ON ON"), Call(0, "CLIENT REPLY MAYBE"),
            Call(0, "HELLO 3").Normalised(Normalise.Shape), Silent("CLIENT REPLY SKIP"), Silent("MGET {t}a {t}b"), Call(0, "PING")),

        // A command refused before it is queued discards the transaction at EXEC; EXEC with arguments ends it.
        Case("transaction aborted before queueing",
            "MULTI", "SET {t}a", "EXEC", "GET {t}a", "MULTI", "SET {t}a 1", "EXEC", "GET {t}a", "WATCH {t}a", "MULTI", "EXEC a", "PING", "EXEC"),

        // Pipelined, so the client's own commands on other connections could overtake: WATCH and EXEC keep their place.
        Case("transaction in order with the client's other commands",
            Step.Pipelined(0, Words("SET {t}w 1"), Words("WATCH {t}w"), Words("MULTI"), Words("INCR {t}w"), Words("EXEC"), Words("GET {t}w")),
            Step.Pipelined(0, Words("SET {t}w 1"), Words("WATCH {t}w"), Words("SET {t}w 2"), Words("MULTI"), Words("INCR {t}w"), Words("EXEC"), Words("GET {t}w")),
            Step.Pipelined(0, Words("SET {t}v 3"), Words("MULTI"), Words("GET {t}v"), Words("EXEC"), Words("SET {t}v 4"), Words("MULTI"), Words("GET {t}v"), Words("EXEC"))),

        // What the proxy answers from the command table: key finding in Redis's order, per-call flags, filters.
        Case("command keys and lists",
            Step.Call(0, "COMMAND", "GETKEYS", "EVAL", "return 1", "0"), Step.Call(0, "COMMAND", "GETKEYS", "EVAL", "return 1", "1", "k"),
            Call(0, "COMMAND GETKEYS PING a b"), Call(0, "COMMAND GETKEYS NOSUCH"), Call(0, "COMMAND GETKEYS SET a"),
            Call(0, "COMMAND GETKEYSANDFLAGS SET a b"), Call(0, "COMMAND GETKEYSANDFLAGS SET a b GET"), Call(0, "COMMAND GETKEYSANDFLAGS LMOVE a b LEFT RIGHT"),
            Call(0, "COMMAND GETKEYSANDFLAGS BITFIELD k GET u8 0"), Call(0, "COMMAND GETKEYSANDFLAGS BITFIELD k INCRBY u8 0 1"),
            Call(0, "COMMAND GETKEYSANDFLAGS SORT a STORE b"), Call(0, "COMMAND GETKEYSANDFLAGS MSET a 1 b 2"),
            Unordered("COMMAND LIST"), Unordered("COMMAND LIST FILTERBY ACLCAT scripting"), Unordered("COMMAND LIST FILTERBY ACLCAT KEYSPACE"),
            Unordered("COMMAND LIST FILTERBY PATTERN CONFIG|G*"), Unordered("COMMAND LIST FILTERBY PATTERN *a[b-d]?"),
            Call(0, "COMMAND LIST FILTERBY PATTERN xad*"), Call(0, "COMMAND LIST FILTERBY MODULE m"), Call(0, "COMMAND LIST FILTERBY ACLCAT nosuch"),
            Call(0, "COMMAND LIST FILTERBY FOO x"), Call(0, "COMMAND LIST FILTERBY"), Call(0, "HELLO 3").Normalised(Normalise.Shape),
            Call(0, "COMMAND GETKEYSANDFLAGS SET a b")),

        // Blocking commands woken by another client once they surely wait (UntilBlocked), whatever Redis 7.0 answers.
        Case("blocking with a zero timeout",
            Step.Send(0, Words("BRPOPLPUSH {t}a {t}b 0")), Step.UntilBlocked(1), Call(1, "RPUSH {t}a x"), Step.Read(0),
            Step.Send(0, Words("BLMOVE {t}a {t}b LEFT RIGHT 0")), Step.UntilBlocked(1), Call(1, "RPUSH {t}a y"), Step.Read(0), Call(1, "LRANGE {t}b 0 -1")),
        Case("blocking move into a list another client pops",
            Step.Send(0, Words("BLPOP {t}dst 0")), Step.UntilBlocked(1), Step.Send(1, Words("BLMOVE {t}src {t}dst LEFT RIGHT 0")), Step.UntilBlocked(2),
            Call(2, "RPUSH {t}src v"), Step.Read(1), Step.Read(0), Call(2, "LLEN {t}dst"), Call(2, "LLEN {t}src")),
        Case("stream read while the key is deleted and written again",
            Call(1, "XADD {t}x 1-1 f v"), Step.Send(0, Words("XREAD BLOCK 0 STREAMS {t}x $")), Step.UntilBlocked(1),
            Call(1, "DEL {t}x"), Call(1, "XADD {t}x 2-1 f w"), Step.Read(0)),
        GroupReadWokenBy("stream group read while the key is deleted", "DEL {t}x"),
        GroupReadWokenBy("stream group read while the key changes type", "SET {t}x text"),
        GroupReadWokenBy("stream group read while the key is renamed", "RENAME {t}x {t}y"),
        GroupReadWokenBy("stream group read while its group is destroyed", "XGROUP DESTROY {t}x g"),
        Case("stream read woken by an entry, then dry, and the same stream twice",
            Call(1, "XGROUP CREATE {t}x g $ MKSTREAM"), Step.Send(0, Words("XREADGROUP GROUP g c BLOCK 0 STREAMS {t}x >")), Step.UntilBlocked(1),
            Call(1, "XADD {t}x 1-1 f v"), Step.Read(0), Call(0, "XREADGROUP GROUP g c BLOCK 100 STREAMS {t}x >"),
            Call(0, "XREAD STREAMS {t}x {t}x 0 0"), Call(0, "XREAD COUNT 1 STREAMS {t}x {t}x 0-0 1-0")),

        // Functions: FCALL_RO runs no-writes functions only; scripts see keys with an expiry as Redis does.
        Case("functions and read-only calls",
            Step.Call(0, "FUNCTION", "LOAD", "#!lua name=rolib\n" +
                "redis.register_function('rw', function(keys) return redis.call('SET', keys[1], 'x') end)\n" +
                "redis.register_function{function_name='ro', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}\n" +
                "redis.register_function{function_name='sneaky', callback=function(keys) return redis.call('SET', keys[1], 'y') end, flags={'no-writes'}}"),
            Call(0, "FCALL_RO rw 1 {t}k"), Call(0, "FCALL_RO ro 1 {t}k"), Call(0, "FCALL rw 1 {t}k"), Call(0, "FCALL_RO ro 1 {t}k"),
            Call(0, "FCALL_RO sneaky 1 {t}k"), Call(0, "FCALL sneaky 1 {t}k"), Call(0, "GET {t}k"), Call(0, "FUNCTION DELETE rolib"),
            Call(0, "FUNCTION DELETE rolib"), Call(0, "FUNCTION LOAD"), Call(0, "FUNCTION LOAD REPLACE"), Call(0, "FUNCTION STATS x"), Call(0, "FUNCTION DUMP x"),
            Call(0, "FUNCTION RESTORE"), Call(0, "FUNCTION FLUSH SYNC"), Call(0, "FUNCTION FLUSH LATER"), Call(0, "FUNCTION LIST WITHCODE LIBRARYNAME")),
        Case("scripts and expiry",
            Call(0, "SET {t}e v PX 100000"), Step.Call(0, "EVAL", "return {redis.call('GET', KEYS[1]), redis.call('PTTL', KEYS[1]) > 0 and 1 or 0}", "1", "{t}e"),
            Step.Call(0, "EVAL", "redis.call('PSETEX', KEYS[1], 1, 'v'); return redis.call('EXISTS', KEYS[1])", "1", "{t}p"),
            Step.Call(0, "EVAL_RO", "return redis.call('SET', KEYS[1], 'x')", "1", "{t}r"), Step.Call(0, "EVAL_RO", "return redis.call('EXISTS', KEYS[1])", "1", "{t}e")),
    ];

    public static string[] Words(string command) => command.Split(' ');

    private static Step Call(int client, string command) => Step.Call(client, Words(command));

    /// <summary>A command that gets no reply (CLIENT REPLY OFF/SKIP and what they silence): sent, never read.</summary>
    private static Step Silent(string command) => Step.Send(0, Words(command));

    /// <summary>A client blocked in XREADGROUP on a new stream's group while another runs <paramref name="command"/>.</summary>
    private static DiffCase GroupReadWokenBy(string name, string command) => Case(name,
        Call(1, "XGROUP CREATE {t}x g $ MKSTREAM"), Step.Send(0, Words("XREADGROUP GROUP g c BLOCK 0 STREAMS {t}x >")), Step.UntilBlocked(1),
        Call(1, command), Step.Read(0));

    private static Step Unordered(string command) => Call(0, command).Normalised(Normalise.Unordered);

    private static IEnumerable<Step> Calls(params string[] commands) => commands.Select(c => Call(0, c));

    private static DiffCase Case(string name, params string[] commands) => new(name, [.. Calls(commands)]);

    private static DiffCase Case(string name, params Step[] steps) => new(name, steps);
}
