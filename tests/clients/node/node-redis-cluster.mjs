// Drives Tessera proxies with the cluster face on through node-redis's createCluster.
//
//   node node-redis-cluster.mjs --ports 19000,19001,19002 [--host 127.0.0.1] [--tls --cacert CA [--cert C --key K]] [--prefix nrc:x] [--seconds 8] [area ...]
//
// Areas: spread multikey churn (see lib/cluster.mjs). Prints a JSON summary; exit 0 = all passed.
//
// node-redis re-reads the cluster's table only when a node answers MOVED or ASK, which Tessera never sends: when a
// proxy goes away its node client just fails ("The client is closed" once its reconnect strategy gives up). So this
// script does what an application using node-redis against Tessera has to do: on such an error it builds a new
// cluster client from the seeds (which asks a live proxy for the table), at most once every half second.

import { createRequire } from 'node:module';
import { createCluster } from 'redis';
import { check, tlsOptions } from './lib/harness.mjs';
import { runCluster } from './lib/cluster.mjs';

const version = createRequire(import.meta.url)('redis/package.json').version;
let cluster;
let rebuilt = 0;
let rebuilds = 0;

function create(options) {
  const tls = tlsOptions(options);
  const created = createCluster({
    rootNodes: options.ports.map((port) => ({ url: `${tls ? 'rediss' : 'redis'}://${options.host}:${port}` })),
    // Give up on a node after a few quick retries, so its commands fail instead of waiting for a proxy that is gone.
    // With --tls every node, also those the table names, is reached over TLS with the same CA and certificate.
    defaults: { socket: { connectTimeout: 5000, reconnectStrategy: (retries) => (retries > 3 ? false : 100), ...(tls ? { tls: true, ...tls } : {}) } },
  });
  created.on('error', () => {}); // reported through the failing command instead
  return created;
}

/** A new cluster client from the seeds, after a failure that may mean a proxy left (see the header). */
async function rebuild(options) {
  if (performance.now() - rebuilt < 500) {
    return;
  }
  rebuilt = performance.now();
  rebuilds++;
  const old = cluster;
  cluster = create(options);
  await cluster.connect();
  old.destroy();
}

async function withRecovery(options, call) {
  try {
    return await call(cluster);
  } catch (error) {
    await rebuild(options).catch(() => {});
    throw error;
  }
}

async function connect(options) {
  if (!cluster) {
    cluster = create(options);
    await cluster.connect();
  }
  return {
    set: (key, value) => withRecovery(options, (c) => c.set(key, value)),
    get: (key) => withRecovery(options, (c) => c.get(key)),
    nodes: () => ({ ports: cluster.masters.map((node) => node.port).sort((a, b) => a - b), rebuilds }),
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

await runCluster({ client: 'node-redis createCluster', version, prefix: 'nrc', connect, multikey, close: () => cluster?.quit?.() ?? cluster?.close?.() });
