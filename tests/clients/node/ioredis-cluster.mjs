// Drives Tessera proxies with the cluster face on through ioredis's Cluster client.
//
//   node ioredis-cluster.mjs --ports 19000,19001,19002 [--host 127.0.0.1] [--tls --cacert CA [--cert C --key K]] [--prefix ioc:x] [--seconds 8] [area ...]
//
// Areas: spread multikey churn (see lib/cluster.mjs). Prints a JSON summary; exit 0 = all passed.

import { createRequire } from 'node:module';
import { Cluster } from 'ioredis';
import { check, tlsOptions } from './lib/harness.mjs';
import { runCluster } from './lib/cluster.mjs';

const version = createRequire(import.meta.url)('ioredis/package.json').version;
let cluster;

function connect(options) {
  if (!cluster) {
    cluster = new Cluster(options.ports.map((port) => ({ host: options.host, port })), {
      // Ask for the table every second: how ioredis learns of a proxy that joined (one that left shows as errors).
      slotsRefreshInterval: 1000,
      slotsRefreshTimeout: 2000,
      redisOptions: { connectTimeout: 5000, commandTimeout: 5000, tls: tlsOptions(options) },
    });
    cluster.on('error', () => {}); // reported through the failing command instead
  }
  return {
    set: (key, value) => cluster.set(key, value),
    get: (key) => cluster.get(key),
    nodes: () => cluster.nodes('master').map((node) => node.options.port).sort((a, b) => a - b),
    raw: cluster,
  };
}

async function multikey(options) {
  const c = connect(options).raw;
  const tag = `{${options.prefix}:t}`;
  check((await c.mset(`${tag}a`, '1', `${tag}b`, '2', `${tag}c`, '3')) === 'OK', 'MSET with a hash tag failed');
  const values = await c.mget(`${tag}a`, `${tag}b`, `${tag}c`);
  check(JSON.stringify(values) === '["1","2","3"]', `MGET with a hash tag answered ${JSON.stringify(values)}`);
  await c.sadd(`${tag}s1`, 'x', 'y');
  await c.sadd(`${tag}s2`, 'y', 'z');
  check((await c.sunionstore(`${tag}s3`, `${tag}s1`, `${tag}s2`)) === 3, 'SUNIONSTORE over tagged keys should store 3');
  const [[, setOk], [, got]] = await c.multi().set(`${tag}tx`, 'v').get(`${tag}tx`).exec();
  check(setOk === 'OK' && got === 'v', 'MULTI/EXEC on tagged keys failed');
  check((await c.del(`${tag}a`, `${tag}b`)) === 2, 'DEL of two tagged keys should answer 2');
  return { tagged: 3 };
}

await runCluster({ client: 'ioredis Cluster', version, prefix: 'ioc', connect, multikey, close: () => cluster?.quit() });
