// Drives a Tessera proxy (or any Redis) with node-redis (npm package `redis`).
//
//   node node-redis-smoke.mjs --port 19000 [--host 127.0.0.1] [--tls --cacert CA [--cert C --key K]] [--prefix nr:x] [area ...]
//
// Areas: pipeline mget hashtags resp3 transaction pubsub resp3-pubsub subscribe-then-publish sharded-pubsub blocking scan client-side-cache.
// Prints a JSON summary; exit 0 = all passed.

import { createRequire } from 'node:module';
import { createClient, WatchError } from 'redis';
import { check, crossSlotPair, run, sleep, tlsOptions, until } from './lib/harness.mjs';

const version = createRequire(import.meta.url)('redis/package.json').version;

/** Where and how to connect: plain TCP, or TLS with --tls (node-redis's socket takes node's tls.connect options). */
function socketOptions(options) {
  const tls = tlsOptions(options);
  return { host: options.host, port: options.port, connectTimeout: 10000, reconnectStrategy: false, ...(tls ? { tls: true, ...tls } : {}) };
}

/** One node-redis connection (RESP2 unless resp is 3) that gives up instead of reconnecting. */
async function connect(options, resp = 2) {
  const client = createClient({
    socket: socketOptions(options),
    RESP: resp,
  });
  client.on('error', () => {}); // reported through the failing command instead
  await client.connect();
  return client;
}

async function withClient(options, body, resp = 2) {
  const client = await connect(options, resp);
  try {
    return await body(client);
  } finally {
    client.destroy();
  }
}

/** SUBSCRIBE, PSUBSCRIBE, PUBLISH and PING-while-subscribed, with the subscriber speaking `resp`. */
async function pubsubRound(options, resp) {
  return withClient(options, async (pub) => withClient(options, async (sub) => {
    const channel = `${options.prefix}:chan:${resp}`;
    const received = [];
    await sub.subscribe(channel, (message, ch) => received.push({ ch, message }));
    await sub.pSubscribe(`${options.prefix}:pat${resp}:*`, (message, ch) => received.push({ pattern: true, ch, message }));
    check((await pub.publish(channel, 'hello')) >= 1, 'PUBLISH should reach the subscriber');
    await pub.publish(`${options.prefix}:pat${resp}:news`, 'pattern');
    await until(() => received.length >= 2, 10000, 'both messages to arrive');
    check(received.some((m) => m.ch === channel && m.message === 'hello' && !m.pattern), `missing the channel message: ${JSON.stringify(received)}`);
    check(received.some((m) => m.pattern && m.message === 'pattern'), `missing the pattern message: ${JSON.stringify(received)}`);
    if (resp === 3) {
      // Over RESP3 a subscribed connection still runs ordinary commands (pushes arrive out of band).
      check((await sub.get(`${options.prefix}:missing`)) === null, 'GET on a subscribed RESP3 connection should answer');
    } else {
      check((await sub.ping()) !== undefined, 'PING while subscribed should answer');
    }
    await sub.unsubscribe(channel);
    await sub.pUnsubscribe();
    return { messages: received.length };
  }, resp));
}

/** A RESP3 connection with node-redis's client-side cache (CLIENT TRACKING ON at connect). */
async function connectCached(options, cache) {
  const client = createClient({
    socket: socketOptions(options),
    RESP: 3,
    clientSideCache: cache,
  });
  client.on('error', () => {});
  await client.connect();
  return client;
}

const areas = {
  async 'client-side-cache'(options) {
    const cache = { ttl: 0, maxEntries: 0, evictPolicy: 'LRU' };
    const cached = await connectCached(options, cache);
    try {
      return await withClient(options, async (writer) => {
        // Keys on both groups of the namespace (different slots, so most likely different groups).
        const keys = [`${options.prefix}:csc:a`, `${options.prefix}:csc:b`, `${options.prefix}:csc:c`];
        for (const key of keys) await writer.set(key, 'v1');
        for (const key of keys) check((await cached.get(key)) === 'v1', `first GET ${key} should read v1`);
        for (const key of keys) check((await cached.get(key)) === 'v1', `second GET ${key} should read v1 from the cache`);
        const stats = cached.clientSideCache.stats();
        check(stats.hitCount >= keys.length, `expected ${keys.length} cache hits, got ${JSON.stringify(stats)}`);
        for (const key of keys) await writer.set(key, 'v2');
        // The invalidation pushes drop the entries: the next GETs read v2 from the proxy.
        for (const key of keys) {
          const deadline = Date.now() + 10000;
          let value = await cached.get(key);
          while (value !== 'v2' && Date.now() < deadline) {
            await sleep(10);
            value = await cached.get(key);
          }
          check(value === 'v2', `GET ${key} should see v2 after the invalidation, still got ${value}`);
        }
        return { hits: stats.hitCount };
      });
    } finally {
      cached.destroy();
    }
  },

  async pipeline(options) {
    return withClient(options, async (r) => {
      // Commands issued in one tick are written together: node-redis pipelines them automatically.
      const sets = Array.from({ length: 500 }, (_, i) => r.set(`${options.prefix}:pipe:${i}`, String(i)));
      const gets = Array.from({ length: 500 }, (_, i) => r.get(`${options.prefix}:pipe:${i}`));
      const [setReplies, values] = await Promise.all([Promise.all(sets), Promise.all(gets)]);
      check(setReplies.every((v) => v === 'OK'), 'every SET should answer OK');
      check(values.every((v, i) => v === String(i)), `GETs came back out of order or wrong: ${values.slice(0, 5)}`);

      // An explicit pipeline (no MULTI) through the multi builder.
      const batch = r.multi();
      for (let i = 0; i < 100; i++) {
        batch.incr(`${options.prefix}:pipe:counter`);
      }
      const counts = await batch.execAsPipeline();
      check(counts.length === 100 && counts[99] === 100, `execAsPipeline should count to 100, got ${counts.slice(-3)}`);
      return { commands: 1100 };
    });
  },

  async mget(options) {
    return withClient(options, async (r) => {
      const keys = Array.from({ length: 100 }, (_, i) => `${options.prefix}:m:${i}`);
      check((await r.mSet(keys.map((k, i) => [k, `v${i}`]))) === 'OK', 'MSET across groups should answer OK');
      const values = await r.mGet([...keys, `${options.prefix}:m:missing`]);
      check(values.length === 101 && values.slice(0, 100).every((v, i) => v === `v${i}`) && values[100] === null,
        `MGET should keep the order and give null for a missing key: ${values.slice(0, 5)}`);
      check((await r.exists(keys)) === 100, 'EXISTS should sum over groups');
      check((await r.del(keys)) === 100, 'DEL should sum over groups');
      return { keys: 100 };
    });
  },

  async hashtags(options) {
    return withClient(options, async (r) => {
      const tag = `{${options.prefix}:user}`;
      await r.sAdd(`${tag}:a`, ['x', 'y']);
      await r.sAdd(`${tag}:b`, ['y', 'z']);
      check((await r.sUnionStore(`${tag}:dest`, [`${tag}:a`, `${tag}:b`])) === 3, 'SUNIONSTORE within one hash tag should work');
      const [first, second] = crossSlotPair(`${options.prefix}:plain`);
      const error = await r.sUnionStore(first, [first, second]).then(() => null, (e) => e);
      check(error && /CROSSSLOT/.test(error.message), `keys in different slots should get CROSSSLOT, got ${error?.message ?? 'success'}`);
      return { tag };
    });
  },

  async resp3(options) {
    return withClient(options, async (r) => {
      // createClient({ RESP: 3 }) opens with HELLO 3: maps, sets, doubles and nulls arrive as RESP3 types.
      const hello = await r.hello();
      const proto = hello?.proto ?? hello?.get?.('proto');
      check(proto === 3, `HELLO should report proto 3, got ${JSON.stringify(hello)}`);
      const key = `${options.prefix}:resp3:h`;
      await r.hSet(key, { f1: 'v1', f2: 'v2' });
      const all = await r.hGetAll(key);
      check(all.f1 === 'v1' && all.f2 === 'v2', `HGETALL over RESP3 should be a map, got ${JSON.stringify(all)}`);
      await r.zAdd(`${options.prefix}:resp3:z`, { score: 1.5, value: 'm' });
      const score = await r.zScore(`${options.prefix}:resp3:z`, 'm');
      check(score === 1.5, `ZSCORE over RESP3 should be a double 1.5, got ${JSON.stringify(score)}`);
      check((await r.get(`${options.prefix}:resp3:missing`)) === null, 'a missing key should be null over RESP3');
      return { proto };
    }, 3);
  },

  async transaction(options) {
    return withClient(options, async (r) => {
      const tag = `{${options.prefix}:tx}`;
      const a = `${tag}:a`;
      const replies = await r.multi().set(a, '1').incr(a).set(`${tag}:b`, 'x').get(a).exec();
      check(JSON.stringify(replies) === JSON.stringify(['OK', 2, 'OK', '2']), `MULTI/EXEC replies wrong: ${JSON.stringify(replies)}`);

      // WATCH, then a write from another connection: EXEC is aborted and node-redis throws WatchError.
      await r.watch(a);
      await withClient(options, (other) => other.set(a, 'changed'));
      const aborted = await r.multi().set(a, 'mine').exec().then(() => null, (e) => e);
      check(aborted instanceof WatchError, `EXEC after a watched key changed should throw WatchError, got ${aborted?.message ?? 'success'}`);
      check((await r.get(a)) === 'changed', 'the aborted transaction must not have written');

      const [x, y] = crossSlotPair(`${options.prefix}:tx`);
      const error = await r.multi().set(x, '1').set(y, '1').exec().then(() => null, (e) => e);
      check(error && /CROSSSLOT|EXECABORT/.test(error.message), `a cross-slot transaction should be refused, got ${error?.message ?? 'success'}`);
      check((await r.exists([x, y])) === 0, 'a refused transaction must not write anything');
      return { replies };
    });
  },

  pubsub: (options) => pubsubRound(options, 2),

  'resp3-pubsub': (options) => pubsubRound(options, 3),

  // A client that got its SUBSCRIBE confirmation may publish at once and expect delivery, as on Redis.
  // 50 rounds on one channel with new connections each time, the pattern that exposes a confirmation sent too early.
  async 'subscribe-then-publish'(options) {
    const channel = `${options.prefix}:race`;
    const missed = { subscribe: 0, ssubscribe: 0 };
    for (let i = 0; i < 50; i++) {
      for (const sharded of [false, true]) {
        await withClient(options, async (pub) => withClient(options, async (sub) => {
          if (sharded) {
            await sub.sSubscribe(channel, () => {});
            missed.ssubscribe += (await pub.sPublish(channel, 'x')) === 0 ? 1 : 0;
          } else {
            await sub.subscribe(channel, () => {});
            missed.subscribe += (await pub.publish(channel, 'x')) === 0 ? 1 : 0;
          }
        }));
      }
    }
    check(missed.subscribe === 0 && missed.ssubscribe === 0,
      `a publish sent right after the subscription was confirmed reached nobody: ${missed.subscribe}/50 after SUBSCRIBE, ${missed.ssubscribe}/50 after SSUBSCRIBE`);
    return { rounds: 50 };
  },

  async 'sharded-pubsub'(options) {
    return withClient(options, async (pub) => withClient(options, async (sub) => {
      const channel = `${options.prefix}:shard`;
      const received = [];
      await sub.sSubscribe(channel, (message) => received.push(message));
      check((await pub.sPublish(channel, 'sharded')) >= 1, 'SPUBLISH should reach the shard subscriber');
      await until(() => received.length >= 1, 10000, 'the sharded message to arrive');
      check(received[0] === 'sharded', `wrong sharded message: ${received}`);
      await sub.sUnsubscribe(channel);
      return { messages: received.length };
    }));
  },

  async blocking(options) {
    return withClient(options, async (r) => {
      const started = performance.now();
      check((await r.blPop(`${options.prefix}:bl:empty`, 0.2)) === null, 'BLPOP on an empty list should time out with null');
      const waited = (performance.now() - started) / 1000;
      check(waited >= 0.15 && waited < 5, `BLPOP 0.2 should wait about 0.2 s, waited ${waited} s`);

      const key = `${options.prefix}:bl:list`;
      const popped = withClient(options, (blocked) => blocked.blPop(key, 5));
      await sleep(300);
      await r.rPush(key, 'pushed');
      const value = await popped;
      check(value?.key === key && value?.element === 'pushed', `BLPOP should return the pushed element, got ${JSON.stringify(value)}`);
      return { waited };
    });
  },

  async scan(options) {
    return withClient(options, async (r) => {
      const keys = Array.from({ length: 200 }, (_, i) => `${options.prefix}:scan:${i}`);
      await r.mSet(keys.map((k) => [k, 'v']));
      await r.hSet(`${options.prefix}:scan:hash`, 'f', 'v');
      const found = new Set();
      // node-redis 5 yields one array of keys per SCAN reply; 4 yielded keys one by one.
      for await (const batch of r.scanIterator({ MATCH: `${options.prefix}:scan:*`, COUNT: 25 })) {
        (Array.isArray(batch) ? batch : [batch]).forEach((k) => found.add(k));
      }
      const expected = new Set([...keys, `${options.prefix}:scan:hash`]);
      const missing = [...expected].filter((k) => !found.has(k));
      const extra = [...found].filter((k) => !expected.has(k));
      check(missing.length === 0 && extra.length === 0, `SCAN missed ${missing.length} keys and returned ${extra.length} extra`);
      const hashes = [];
      for await (const batch of r.scanIterator({ MATCH: `${options.prefix}:scan:*`, TYPE: 'hash' })) {
        hashes.push(...(Array.isArray(batch) ? batch : [batch]));
      }
      check(hashes.length === 1 && hashes[0] === `${options.prefix}:scan:hash`, `SCAN TYPE hash returned ${hashes}`);
      return { keys: found.size };
    });
  },
};

await run({ client: 'node-redis', version, prefix: 'nr', areas });
