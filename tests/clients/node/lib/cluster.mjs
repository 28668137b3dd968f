// Shared by the cluster client scripts (ioredis-cluster.mjs, node-redis-cluster.mjs): the areas that every
// cluster-aware client runs against Tessera proxies with the cluster face on, written over a tiny adapter
// { set(key, value), get(key), nodes() } so each script only says how its client does those.

import { check, run, sleep } from './harness.mjs';

/**
 * Runs the cluster areas (spread, multikey, churn) for one client: connect(options) answers the adapter
 * { set, get, nodes } (the same one every call), multikey(options) is the client's own multi-key area.
 */
export function runCluster({ client, version, prefix, connect, multikey, close }) {
  return run({
    client,
    version,
    prefix,
    areaTimeoutMs: 45000,
    areas: {
      spread: async (options) => spread(options, await connect(options)),
      multikey,
      churn: async (options) => churn(options, await connect(options)),
    },
    close,
  });
}

/** 300 keys written and read back; the test then checks on the backends that every group got some. */
export async function spread(options, client) {
  const keys = Array.from({ length: 300 }, (_, i) => `${options.prefix}:spread:${i}`);
  for (const [i, key] of keys.entries()) {
    await client.set(key, String(i));
  }
  for (const [i, key] of keys.entries()) {
    const value = await client.get(key);
    check(value === String(i), `GET ${key} answered ${value}, expected ${i}`);
  }
  return { keys: keys.length, nodes: client.nodes() };
}

/**
 * SET/GET in a loop for options.seconds while the test stops one proxy and starts another; errors are counted
 * (with when they happened), not thrown. Afterwards every key must hold its last value. Writes
 * <prefix>:churn:started first so the test knows the loop runs.
 */
export async function churn(options, client) {
  await client.set(`${options.prefix}:churn:started`, '1');
  const keys = Array.from({ length: 64 }, (_, i) => `${options.prefix}:churn:${i}`);
  const last = new Map();
  const errors = [];
  let ok = 0;
  const started = performance.now();
  for (let i = 0; performance.now() - started < options.seconds * 1000; i++) {
    const key = keys[i % keys.length];
    try {
      await client.set(key, String(i));
      last.set(key, String(i));
      const value = await client.get(key);
      check(value === String(i), `GET ${key} after SET answered ${value}`);
      ok++;
    } catch (error) {
      errors.push({ at: Math.round(performance.now() - started) / 1000, error: `${error?.name ?? 'Error'}: ${error?.message ?? error}` });
      await sleep(50);
    }
    await sleep(5);
  }
  for (const [key, value] of last) {
    const read = await client.get(key);
    check(read === value, `${key} lost its last value ${value} (reads ${read})`);
  }
  return { ok, errors, nodes: client.nodes() };
}
