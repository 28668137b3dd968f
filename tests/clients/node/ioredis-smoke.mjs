// Drives a Tessera proxy (or any Redis) with ioredis.
//
//   node ioredis-smoke.mjs --port 19000 [--host 127.0.0.1] [--tls --cacert CA [--cert C --key K]] [--prefix io:x] [area ...]
//
// Areas: pipeline mget hashtags transaction pubsub blocking scan. ioredis speaks RESP2 only, so there is no
// RESP3 area here (node-redis-smoke.mjs has one). Prints a JSON summary; exit 0 = all passed.

import { createRequire } from 'node:module';
import { Redis } from 'ioredis';
import { check, crossSlotPair, run, sleep, tlsOptions, until } from './lib/harness.mjs';

const version = createRequire(import.meta.url)('ioredis/package.json').version;

/** One ioredis connection that fails fast instead of retrying or queueing while disconnected. */
async function connect(options) {
  const client = new Redis({
    host: options.host,
    port: options.port,
    lazyConnect: true,
    connectTimeout: 10000,
    commandTimeout: 10000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
    tls: tlsOptions(options),
  });
  client.on('error', () => {}); // reported through the failing command instead
  await client.connect();
  return client;
}

async function withClient(options, body) {
  const client = await connect(options);
  try {
    return await body(client);
  } finally {
    client.disconnect();
  }
}

const areas = {
  async pipeline(options) {
    return withClient(options, async (r) => {
      const pipe = r.pipeline();
      for (let i = 0; i < 500; i++) {
        pipe.set(`${options.prefix}:pipe:${i}`, String(i));
      }
      for (let i = 0; i < 500; i++) {
        pipe.get(`${options.prefix}:pipe:${i}`);
      }
      const replies = await pipe.exec();
      check(replies.length === 1000, `1000 replies expected, got ${replies.length}`);
      const errors = replies.filter(([error]) => error);
      check(errors.length === 0, `pipeline errors: ${errors.slice(0, 3).map(([e]) => e.message)}`);
      const values = replies.slice(500).map(([, value]) => value);
      check(values.every((v, i) => v === String(i)), `GETs came back out of order or wrong: ${values.slice(0, 5)}`);
      return { commands: 1000 };
    });
  },

  async mget(options) {
    return withClient(options, async (r) => {
      const keys = Array.from({ length: 100 }, (_, i) => `${options.prefix}:m:${i}`);
      const data = Object.fromEntries(keys.map((k, i) => [k, `v${i}`]));
      check((await r.mset(data)) === 'OK', 'MSET across groups should answer OK');
      const values = await r.mget(...keys, `${options.prefix}:m:missing`);
      check(values.length === 101 && values.slice(0, 100).every((v, i) => v === `v${i}`) && values[100] === null,
        `MGET should keep the order and give null for a missing key: ${values.slice(0, 5)}`);
      check((await r.exists(...keys)) === 100, 'EXISTS should sum over groups');
      check((await r.del(...keys)) === 100, 'DEL should sum over groups');
      return { keys: 100 };
    });
  },

  async hashtags(options) {
    return withClient(options, async (r) => {
      const tag = `{${options.prefix}:user}`;
      await r.sadd(`${tag}:a`, 'x', 'y');
      await r.sadd(`${tag}:b`, 'y', 'z');
      check((await r.sunionstore(`${tag}:dest`, `${tag}:a`, `${tag}:b`)) === 3, 'SUNIONSTORE within one hash tag should work');
      check((await r.rename(`${tag}:dest`, `${tag}:renamed`)) === 'OK', 'RENAME within one hash tag should work');
      const [first, second] = crossSlotPair(`${options.prefix}:plain`);
      const error = await r.sunionstore(first, first, second).then(() => null, (e) => e);
      check(error && /CROSSSLOT/.test(error.message), `keys in different slots should get CROSSSLOT, got ${error?.message ?? 'success'}`);
      return { tag };
    });
  },

  async transaction(options) {
    return withClient(options, async (r) => {
      const tag = `{${options.prefix}:tx}`;
      const a = `${tag}:a`;
      const replies = await r.multi().set(a, '1').incr(a).set(`${tag}:b`, 'x').get(a).exec();
      const values = replies.map(([error, value]) => error?.message ?? value);
      check(JSON.stringify(values) === JSON.stringify(['OK', 2, 'OK', '2']), `MULTI/EXEC replies wrong: ${JSON.stringify(values)}`);

      // WATCH on this connection; a write from another connection makes EXEC answer null (aborted).
      await r.watch(a);
      await withClient(options, (other) => other.set(a, 'changed'));
      const aborted = await r.multi().set(a, 'mine').exec();
      check(aborted === null, `EXEC after a watched key changed should be aborted (null), got ${JSON.stringify(aborted)}`);
      check((await r.get(a)) === 'changed', 'the aborted transaction must not have written');

      const [x, y] = crossSlotPair(`${options.prefix}:tx`);
      const error = await r.multi().set(x, '1').set(y, '1').exec().then(() => null, (e) => e);
      check(error && /CROSSSLOT|EXECABORT/.test(error.message), `a cross-slot transaction should be refused, got ${error?.message ?? 'success'}`);
      check((await r.exists(x, y)) === 0, 'a refused transaction must not write anything');
      return { replies: values };
    });
  },

  async pubsub(options) {
    const sub = await connect(options);
    try {
      return await withClient(options, async (pub) => {
        const channel = `${options.prefix}:chan`;
        const received = [];
        sub.on('message', (ch, message) => received.push({ ch, message }));
        sub.on('pmessage', (pattern, ch, message) => received.push({ pattern, ch, message }));
        check((await sub.subscribe(channel)) === 1, 'SUBSCRIBE should confirm one channel');
        check((await sub.psubscribe(`${options.prefix}:pat:*`)) === 2, 'PSUBSCRIBE should confirm (two subscriptions in all)');
        check((await pub.publish(channel, 'hello')) >= 1, 'PUBLISH should reach the subscriber');
        await pub.publish(`${options.prefix}:pat:news`, 'pattern');
        await until(() => received.length >= 2, 10000, 'both messages to arrive');
        check(received.some((m) => m.ch === channel && m.message === 'hello' && !m.pattern), `missing the channel message: ${JSON.stringify(received)}`);
        check(received.some((m) => m.pattern && m.message === 'pattern'), `missing the pattern message: ${JSON.stringify(received)}`);
        check((await sub.ping()) !== undefined, 'PING while subscribed should answer');
        await sub.unsubscribe(channel);
        await sub.punsubscribe();
        return { messages: received.length };
      });
    } finally {
      sub.disconnect();
    }
  },

  async blocking(options) {
    return withClient(options, async (r) => {
      const started = performance.now();
      check((await r.blpop(`${options.prefix}:bl:empty`, 0.2)) === null, 'BLPOP on an empty list should time out with null');
      const waited = (performance.now() - started) / 1000;
      check(waited >= 0.15 && waited < 5, `BLPOP 0.2 should wait about 0.2 s, waited ${waited} s`);

      const key = `${options.prefix}:bl:list`;
      const popped = withClient(options, (blocked) => blocked.blpop(key, 5));
      await sleep(300);
      await r.rpush(key, 'pushed');
      const value = await popped;
      check(JSON.stringify(value) === JSON.stringify([key, 'pushed']), `BLPOP should return the pushed element, got ${JSON.stringify(value)}`);
      return { waited };
    });
  },

  async scan(options) {
    return withClient(options, async (r) => {
      const keys = Array.from({ length: 200 }, (_, i) => `${options.prefix}:scan:${i}`);
      await r.mset(Object.fromEntries(keys.map((k) => [k, 'v'])));
      await r.hset(`${options.prefix}:scan:hash`, 'f', 'v');
      const found = new Set();
      for await (const batch of r.scanStream({ match: `${options.prefix}:scan:*`, count: 25 })) {
        batch.forEach((k) => found.add(k));
      }
      const expected = new Set([...keys, `${options.prefix}:scan:hash`]);
      const missing = [...expected].filter((k) => !found.has(k));
      const extra = [...found].filter((k) => !expected.has(k));
      check(missing.length === 0 && extra.length === 0, `SCAN missed ${missing.length} keys and returned ${extra.length} extra`);
      const hashes = [];
      for await (const batch of r.scanStream({ match: `${options.prefix}:scan:*`, type: 'hash' })) {
        hashes.push(...batch);
      }
      check(hashes.length === 1 && hashes[0] === `${options.prefix}:scan:hash`, `SCAN TYPE hash returned ${hashes}`);
      return { keys: found.size };
    });
  },
};

await run({ client: 'ioredis', version, prefix: 'io', areas });
