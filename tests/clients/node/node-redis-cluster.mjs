// Drives Tessera proxies with the cluster face on through node-redis's createCluster.
//
//   node node-redis-cluster.mjs --ports 19000,19001,19002 [--host 127.0.0.1] [--prefix nrc:x] [--seconds 8] [area ...]
//
// Areas: spread multikey churn (see lib/cluster.mjs). Prints a JSON summary; exit 0 = all passed.

import { createRequire } from 'node:module';
import { createCluster } from 'redis';
import { check, run } from './lib/harness.mjs';
import { churn, spread } from './lib/cluster.mjs';

const version = createRequire(import.meta.url)('redis/package.json').version;
let cluster;

async function connect(options) {
  if (!cluster) {
    cluster = createCluster({
      rootNodes: options.ports.map((port) => ({ url: `redis://${options.host}:${port}` })),
      defaults: { socket: { connectTimeout: 5000, reconnectStrategy: (retries) => (retries > 20 ? false : 100) } },
    });
    cluster.on('error', () => {}); // reported through the failing command instead
    await cluster.connect();
  }
  return {
    set: (key, value) => cluster.set(key, value),
    get: (key) => cluster.get(key),
    nodes: () => cluster.masters.map((node) => node.port).sort((a, b) => a - b),
    raw: cluster,
  };
}

async function multikey(options) {
  const c = (await connect(options)).raw;
  const tag = `{${options.prefix}:t}`;
  check((await c.mSet([`${tag}a`, '1', `${tag}b`, '2', `${tag}c`, '3'])) === 'OK', 'MSET with a hash tag failed');
  const values = await c.mGet([`${tag}a`, `${tag}b`, `${tag}c`]);
  check(JSON.stringify(values) === '["1","2","3"]', `MGET with a hash tag answered ${JSON.stringify(values)}`);
  await c.sAdd(`${tag}s1`, ['x', 'y']);
  await c.sAdd(`${tag}s2`, ['y', 'z']);
  check((await c.sUnionStore(`${tag}s3`, [`${tag}s1`, `${tag}s2`])) === 3, 'SUNIONSTORE over tagged keys should store 3');
  const [setOk, got] = await c.multi().set(`${tag}tx`, 'v').get(`${tag}tx`).exec();
  check(setOk === 'OK' && got === 'v', 'MULTI/EXEC on tagged keys failed');
  check((await c.del([`${tag}a`, `${tag}b`])) === 2, 'DEL of two tagged keys should answer 2');
  return { tagged: 3 };
}

await run({
  client: 'node-redis createCluster',
  version,
  prefix: 'nrc',
  areaTimeoutMs: 45000,
  areas: {
    spread: async (options) => spread(options, await connect(options)),
    multikey,
    churn: async (options) => churn(options, await connect(options)),
  },
  close: () => cluster?.quit?.() ?? cluster?.close?.(),
});
