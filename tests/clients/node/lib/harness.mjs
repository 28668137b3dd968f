// Shared by the node client scripts: argument parsing, Tessera's slot function, per-area timeouts and the
// JSON summary. Every area runs under a timeout, and the process exits explicitly at the end, so a proxy that
// never answers (or a socket left open) fails the run instead of hanging it.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Thrown by check(): the message says what was expected and what came back. */
export class Failure extends Error {
  name = 'Failure';
}

export function check(condition, message) {
  if (!condition) {
    throw new Failure(message);
  }
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    }
    table[n] = c >>> 0;
  }
  return table;
})();

/** Tessera's slot: CRC32 (IEEE) of the hash tag, or of the whole key, modulo 1024. */
export function slot(key) {
  let bytes = Buffer.from(key);
  const open = bytes.indexOf('{');
  if (open >= 0) {
    const close = bytes.indexOf('}', open + 1);
    if (close > open + 1) {
      bytes = bytes.subarray(open + 1, close);
    }
  }
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc = CRC_TABLE[(crc ^ b) & 0xff] ^ (crc >>> 8);
  }
  return ((crc ^ 0xffffffff) >>> 0) % 1024;
}

/** Two keys under base that hash to different slots, for checks that expect CROSSSLOT. */
export function crossSlotPair(base) {
  const first = `${base}:a`;
  for (let i = 0; i < 1000; i++) {
    const other = `${base}:b${i}`;
    if (slot(other) !== slot(first)) {
      return [first, other];
    }
  }
  throw new Failure('no two keys in different slots found (cannot happen with CRC32)');
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves with the promise's value, or rejects when it takes longer than ms. */
export function within(ms, promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Failure(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Waits until predicate() is true, polling; fails after ms. */
export async function until(predicate, ms, what) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) {
      throw new Failure(`${what} did not happen within ${ms} ms`);
    }
    await sleep(10);
  }
}

function parseArgs(argv, areaNames, defaultPrefix) {
  const options = { host: '127.0.0.1', port: 0, ports: [], seconds: 8, prefix: `${defaultPrefix}:${randomBytes(4).toString('hex')}`, areas: [], tls: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--tls') {
      options.tls = true;
    } else if (arg === '--cacert' || arg === '--cert' || arg === '--key') {
      // TLS files (with --tls): the CA the server certificate must chain to, and a client certificate (mutual TLS).
      options[arg.slice(2)] = argv[++i] ?? usage(`${arg} needs a value`, areaNames);
    } else if (arg === '--host' || arg === '--port' || arg === '--prefix' || arg === '--ports' || arg === '--seconds') {
      const value = argv[++i];
      if (value === undefined) {
        usage(`${arg} needs a value`, areaNames);
      }
      // --ports P1,P2,...: a cluster client's seed nodes (the first is also --port); --seconds: how long a loop runs.
      options[arg.slice(2)] = arg === '--ports' ? value.split(',').map(Number) : arg === '--port' || arg === '--seconds' ? Number(value) : value;
      if (arg === '--ports') {
        options.port = options.ports[0];
      }
    } else if (areaNames.includes(arg)) {
      options.areas.push(arg);
    } else {
      usage(`unknown argument '${arg}'`, areaNames);
    }
  }
  if (!Number.isInteger(options.port) || options.port <= 0 || options.port > 65535) {
    usage('--port <1-65535> is required', areaNames);
  }
  if (options.areas.length === 0) {
    options.areas = [...areaNames];
  }
  return options;
}

/**
 * Node TLS options for the chosen transport (node's tls.connect options, which ioredis's `tls` and node-redis's
 * `socket` both take), or undefined for plain TCP: the server certificate verified against --cacert (and its name
 * against the host), and --cert/--key presented when given.
 */
export function tlsOptions(options) {
  if (!options.tls) {
    return undefined;
  }
  const tls = { ca: readFileSync(options.cacert), rejectUnauthorized: true };
  if (options.cert) {
    tls.cert = readFileSync(options.cert);
    tls.key = readFileSync(options.key);
  }
  return tls;
}

/** What the summary reports as the transport. */
const transportOf = (options) => (options.tls ? (options.cert ? 'tls+client-cert' : 'tls') : 'tcp');

function usage(problem, areaNames) {
  process.stderr.write(`${problem}\nusage: node <script> --port P | --ports P1,P2,... [--host H] [--prefix P] [--seconds S] [--tls --cacert CA [--cert C --key K]] [area ...]\nareas: ${areaNames.join(' ')}\n`);
  process.exit(2);
}

/**
 * Runs the chosen areas one after the other and prints { client, version, ok, results }.
 * areas: { name: async (options) => detail }. Exit code 0 when all passed, 1 otherwise.
 */
export async function run({ client, version, prefix, areas, areaTimeoutMs = 20000, close }) {
  const options = parseArgs(process.argv.slice(2), Object.keys(areas), prefix);
  const results = [];
  for (const name of options.areas) {
    const started = performance.now();
    const entry = { area: name };
    try {
      entry.detail = await within(areaTimeoutMs, areas[name](options), `area ${name}`);
      entry.ok = true;
    } catch (error) {
      entry.ok = false;
      entry.error = `${error?.name ?? 'Error'}: ${error?.message ?? error}`;
      entry.trace = error?.stack;
    }
    entry.seconds = Math.round(performance.now() - started) / 1000;
    results.push(entry);
  }
  const ok = results.every((r) => r.ok);
  if (close) {
    await within(5000, Promise.resolve(close()), 'closing the client').catch(() => {});
  }
  process.stdout.write(JSON.stringify({ client, version, node: process.version, host: options.host, port: options.port, transport: transportOf(options), ok, results }, null, 2) + '\n');
  // Exit explicitly: a connection a failed area left open must not keep the process alive.
  process.exit(ok ? 0 : 1);
}
