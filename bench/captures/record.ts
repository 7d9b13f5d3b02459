/**
 * Records the real captures of the corpus: local traffic on `lo`, written by
 * `tcpdump -i lo --immediate-mode -U -w`, against
 *
 * - a Node HTTP server on a spare port (keep-alive and one-request connections),
 * - the shared Redis on 6379 (`redis-benchmark`, keys under `pbts:bench:`, deleted after),
 * - PostgreSQL on 5432 (`pgbench` in a scratch database, created and dropped),
 * - MariaDB on 3306 (the `mariadb` client running generated SQL on scratch tables),
 * - a `dnsmasq` we start on 127.0.0.2:53 (or a spare port), queried by a small UDP client.
 *
 * tcpdump drops what is still in the kernel ring when it gets SIGINT, so it
 * is stopped only after the traffic is done and the file stopped growing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { DNS_A, DNS_AAAA, DNS_MX, DNS_TXT, dnsQuery } from './pcap.js';
import { errorText, fileSize, run, sparePort, stopChild, waitFor, waitForStable } from './proc.js';

export interface RecordTools {
  readonly tcpdump: string;
  readonly redisBenchmark?: string;
  readonly pgbench?: string;
  readonly psql?: string;
  readonly mariadb?: string;
  readonly dnsmasq?: string;
}

export interface RecordSizes {
  /** HTTP requests over keep-alive connections. */
  readonly httpKeepAlive: number;
  /** HTTP requests, one connection each. */
  readonly httpShort: number;
  /** Redis commands over all redis-benchmark runs. */
  readonly redisRequests: number;
  /** pgbench transactions (TPC-B-like) per client; select-only and connect-per-transaction runs scale from it. */
  readonly pgbenchTransactions: number;
  /** SQL statements sent to MariaDB. */
  readonly mysqlQueries: number;
  readonly dnsQueries: number;
}

/** What the corpus keeps about a recorded capture. */
export interface Recording {
  /** Application requests the traffic generator issued (approximate for pgbench: statements). */
  readonly requests: number;
  /** The server ports, by transport: the protocol config and tshark's decode-as use them. */
  readonly tcpPorts: readonly number[];
  readonly udpPorts: readonly number[];
  /** Server addresses (the client side is everything else). */
  readonly serverIps: readonly string[];
  /** tcpdump's own counts at exit. */
  readonly tcpdumpCaptured: number;
  readonly kernelDrops: number;
  readonly notes: string;
}

export type Progress = (message: string) => void;

interface TcpdumpRun {
  readonly child: ChildProcess;
  stderr: string;
}

async function startTcpdump(tcpdump: string, file: string, filter: string): Promise<TcpdumpRun> {
  fs.rmSync(file, { force: true });
  // A 256 MiB kernel buffer: in immediate mode each ring slot holds a whole
  // snaplen (256 KiB on lo), so the default 2 MiB ring holds 8 packets and
  // drops most of a burst. No -U: a write per packet would slow tcpdump down;
  // the file still grows as tcpdump drains the ring, which is what
  // stopTcpdump waits for.
  const child = spawn(tcpdump, ['-i', 'lo', '--immediate-mode', '-B', '262144', '-s', '0', '-n', '-w', file, filter], { stdio: ['ignore', 'ignore', 'pipe'] });
  const r: TcpdumpRun = { child, stderr: '' };
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    r.stderr += s;
  });
  const failed = new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('close', () => resolve(false));
  });
  const ready = waitFor(() => r.stderr.includes('listening on'), 15_000);
  if (!(await Promise.race([ready, failed]))) {
    await stopChild(child, 'SIGKILL');
    throw new Error(`tcpdump did not start: ${r.stderr.trim()}`);
  }
  return r;
}

/** Waits for the file to stop growing, then stops tcpdump with SIGINT and reads its counts. */
async function stopTcpdump(r: TcpdumpRun, file: string): Promise<{ captured: number; kernelDrops: number }> {
  await waitForStable(() => fileSize(file), { everyMs: 250, stableChecks: 4, timeoutMs: 120_000 });
  await stopChild(r.child, 'SIGINT', 15_000);
  const captured = /(\d+) packets? captured/.exec(r.stderr);
  const dropped = /(\d+) packets? dropped by kernel/.exec(r.stderr);
  return { captured: captured === null ? -1 : Number(captured[1]), kernelDrops: dropped === null ? -1 : Number(dropped[1]) };
}

/** Records `traffic` on lo with `filter` into `file`. */
async function recordWith(tcpdump: string, file: string, filter: string, traffic: () => Promise<void>): Promise<{ captured: number; kernelDrops: number }> {
  const r = await startTcpdump(tcpdump, file, filter);
  try {
    await traffic();
  } catch (err) {
    await stopChild(r.child, 'SIGINT');
    throw err;
  }
  return stopTcpdump(r, file);
}

// ---------------------------------------------------------------- HTTP

const STATIC_SIZES = [512, 2048, 8192, 24_576];

function startHttpServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      if (url.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"not found"}');
      } else if (url.startsWith('/static/')) {
        const size = Number(/size=(\d+)/.exec(url)?.[1] ?? 1024);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'cache-control': 'max-age=60' });
        res.end(Buffer.alloc(size, 0x61));
      } else if (req.method === 'POST') {
        res.writeHead(201, { 'content-type': 'application/json', location: '/api/items/new' });
        res.end(JSON.stringify({ created: true, received: body.length }));
      } else if (req.method === 'DELETE') {
        res.writeHead(204);
        res.end();
      } else {
        res.writeHead(200, { 'content-type': 'application/json', server: 'pbts-bench/1.0' });
        res.end(JSON.stringify({ id: url.length, url, items: [{ name: 'alpha', price: 12.5 }, { name: 'beta', price: 7 }] }));
      }
    });
  });
  server.keepAliveTimeout = 30_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function httpRequest(port: number, agent: http.Agent | false, i: number): Promise<void> {
  const kind = i % 10;
  let method = 'GET';
  let reqPath = `/api/items/${i}?fields=name,price&page=${i % 7}`;
  let body: string | undefined;
  if (kind === 5 || kind === 6) {
    method = 'POST';
    reqPath = '/api/items';
    body = JSON.stringify({ name: `item-${i}`, tags: ['bench', 'http'], price: i % 100, note: 'x'.repeat(i % 200) });
  } else if (kind === 7) {
    reqPath = `/static/blob-${i}.bin?size=${STATIC_SIZES[i % STATIC_SIZES.length] ?? 1024}`;
  } else if (kind === 8) {
    reqPath = `/missing/page-${i}`;
  } else if (kind === 9) {
    method = 'DELETE';
    reqPath = `/api/items/${i}`;
  }
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: reqPath,
        agent,
        headers: { 'user-agent': 'pbts-bench/1.0', accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      },
      (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve());
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** `requests` requests from `concurrency` sequential workers. */
async function httpLoad(port: number, requests: number, keepAlive: boolean, concurrency: number): Promise<void> {
  const agent = keepAlive ? new http.Agent({ keepAlive: true, maxSockets: concurrency }) : false;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < requests) await httpRequest(port, agent, next++);
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, () => worker()));
  } finally {
    if (agent !== false) agent.destroy();
  }
}

export async function recordHttp(tools: RecordTools, file: string, requests: number, keepAlive: boolean): Promise<Recording> {
  const server = await startHttpServer();
  const port = (server.address() as AddressInfo).port;
  try {
    const counts = await recordWith(tools.tcpdump, file, `tcp port ${port}`, () => httpLoad(port, requests, keepAlive, keepAlive ? 8 : 4));
    return {
      requests,
      tcpPorts: [port],
      udpPorts: [],
      serverIps: ['127.0.0.1'],
      tcpdumpCaptured: counts.captured,
      kernelDrops: counts.kernelDrops,
      notes: keepAlive ? `Node http server on ${port}, 8 keep-alive connections` : `Node http server on ${port}, one connection per request, 4 at a time`,
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------- Redis

const REDIS_PREFIX = 'pbts:bench:';

export async function deleteRedisKeys(prefix: string): Promise<void> {
  const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, retryStrategy: () => null });
  r.on('error', () => undefined); // reported by the rejected calls
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export async function recordRedis(tools: RecordTools, file: string, requests: number): Promise<Recording> {
  const rb = tools.redisBenchmark;
  if (rb === undefined) throw new Error('redis-benchmark is not installed (apt-get install redis-tools)');
  const value = 'v'.repeat(64);
  // [share of requests, clients, pipeline, command...]
  const runs: Array<[number, number, number, string[]]> = [
    [0.25, 10, 1, ['SET', `${REDIS_PREFIX}k:__rand_int__`, value]],
    [0.2, 10, 1, ['GET', `${REDIS_PREFIX}k:__rand_int__`]],
    [0.2, 4, 16, ['GET', `${REDIS_PREFIX}k:__rand_int__`]],
    [0.1, 10, 1, ['INCR', `${REDIS_PREFIX}ctr:__rand_int__`]],
    [0.1, 10, 1, ['LPUSH', `${REDIS_PREFIX}list`, value]],
    [0.05, 10, 1, ['LRANGE', `${REDIS_PREFIX}list`, '0', '9']],
    [0.1, 10, 1, ['HSET', `${REDIS_PREFIX}h:__rand_int__`, 'field', value]],
  ];
  let sent = 0;
  try {
    const counts = await recordWith(tools.tcpdump, file, 'tcp port 6379', async () => {
      for (const [share, clients, pipeline, cmd] of runs) {
        const n = Math.max(100, Math.round(requests * share));
        sent += n;
        await run(rb, ['-h', '127.0.0.1', '-p', '6379', '-c', String(clients), '-n', String(n), '-P', String(pipeline), '-r', '100000', '-q', ...cmd]);
      }
    });
    return {
      requests: sent,
      tcpPorts: [6379],
      udpPorts: [],
      serverIps: ['127.0.0.1'],
      tcpdumpCaptured: counts.captured,
      kernelDrops: counts.kernelDrops,
      notes: 'redis-benchmark: SET, GET, GET pipelined by 16, INCR, LPUSH, LRANGE, HSET on random keys',
    };
  } finally {
    await deleteRedisKeys(REDIS_PREFIX);
  }
}

// ---------------------------------------------------------------- PostgreSQL

const PG_DB = 'pbts_bench';

export async function recordPgsql(tools: RecordTools, file: string, transactions: number): Promise<Recording> {
  const { pgbench, psql } = tools;
  if (pgbench === undefined || psql === undefined) throw new Error('pgbench or psql is not installed (apt-get install postgresql-client postgresql-contrib)');
  const admin = ['-h', '127.0.0.1', '-p', '5432', '-d', 'test', '-v', 'ON_ERROR_STOP=1', '-q'];
  await run(psql, [...admin, '-c', `DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`, '-c', `CREATE DATABASE ${PG_DB}`]);
  try {
    const base = ['-h', '127.0.0.1', '-p', '5432'];
    await run(pgbench, [...base, '-i', '-s', '1', '-q', PG_DB]);
    const t = Math.max(10, transactions);
    const counts = await recordWith(tools.tcpdump, file, 'tcp port 5432', async () => {
      await run(pgbench, [...base, '-n', '-c', '4', '-j', '2', '-t', String(t), PG_DB]); // TPC-B-like, simple protocol
      await run(pgbench, [...base, '-n', '-c', '4', '-j', '2', '-S', '-M', 'prepared', '-t', String(t * 2), PG_DB]); // select-only, extended protocol
      await run(pgbench, [...base, '-n', '-c', '2', '-j', '2', '-S', '-C', '-t', String(Math.max(5, Math.round(t / 10))), PG_DB]); // a connection per transaction
    });
    return {
      requests: 4 * t * 7 + 4 * t * 2 + 2 * Math.max(5, Math.round(t / 10)),
      tcpPorts: [5432],
      udpPorts: [],
      serverIps: ['127.0.0.1'],
      tcpdumpCaptured: counts.captured,
      kernelDrops: counts.kernelDrops,
      notes: `pgbench scale 1: ${t} TPC-B-like transactions x 4 clients, ${t * 2} select-only (prepared) x 4, connect-per-transaction select-only`,
    };
  } finally {
    await run(psql, [...admin, '-c', `DROP DATABASE IF EXISTS ${PG_DB} WITH (FORCE)`]).catch((err: unknown) => {
      console.error(`could not drop ${PG_DB}: ${errorText(err)}`);
    });
  }
}

// ---------------------------------------------------------------- MySQL (MariaDB)

function mysqlScript(table: string, queries: number, seed: number): string {
  const lines = [`DROP TABLE IF EXISTS ${table};`, `CREATE TABLE ${table} (id INT PRIMARY KEY, name VARCHAR(64), qty INT, note TEXT);`];
  let inserted = 0;
  for (let i = 0; i < queries; i++) {
    const k = (i * 7919 + seed) % 10;
    if (inserted < 50 || k < 4) {
      lines.push(`INSERT INTO ${table} VALUES (${inserted}, 'name-${inserted}', ${inserted % 97}, '${'n'.repeat(inserted % 120)}');`);
      inserted++;
    } else if (k < 8) {
      lines.push(`SELECT id, name, qty FROM ${table} WHERE id = ${(i * 31) % inserted};`);
    } else if (k < 9) {
      lines.push(`UPDATE ${table} SET qty = qty + 1 WHERE id = ${(i * 17) % inserted};`);
    } else {
      lines.push(`SELECT * FROM ${table} WHERE qty > ${i % 90} ORDER BY id LIMIT 40;`);
    }
  }
  lines.push(`SELECT COUNT(*) FROM ${table} WHERE id = -1 OR name = 'nobody';`, `DROP TABLE ${table};`);
  return `${lines.join('\n')}\n`;
}

export async function recordMysql(tools: RecordTools, file: string, queries: number): Promise<Recording> {
  const mariadb = tools.mariadb;
  if (mariadb === undefined) throw new Error('the mariadb (or mysql) client is not installed (apt-get install mariadb-client)');
  const args = ['-h', '127.0.0.1', '-P', '3306', '--protocol=tcp', '-u', 'root', 'test'];
  const clients = 2;
  const per = Math.max(100, Math.round(queries / clients));
  const tables = Array.from({ length: clients }, (_, i) => `pbts_bench_t${i}`);
  try {
    const counts = await recordWith(tools.tcpdump, file, 'tcp port 3306', async () => {
      await Promise.all(tables.map((t, i) => run(mariadb, ['--batch', '--silent', ...args], { input: mysqlScript(t, per, i) })));
      // A few short connections, one statement each.
      for (let i = 0; i < 20; i++) await run(mariadb, [...args, '--batch', '-e', `SELECT ${i} AS n, NOW() AS t, @@version AS v`]);
    });
    return {
      requests: clients * (per + 4) + 20,
      tcpPorts: [3306],
      udpPorts: [],
      serverIps: ['127.0.0.1'],
      tcpdumpCaptured: counts.captured,
      kernelDrops: counts.kernelDrops,
      notes: `mariadb client: ${clients} connections x ${per} statements (INSERT, point SELECT, UPDATE, range SELECT), 20 one-statement connections`,
    };
  } finally {
    await run(mariadb, [...args, '-e', tables.map((t) => `DROP TABLE IF EXISTS ${t};`).join(' ')]).catch(() => undefined);
  }
}

// ---------------------------------------------------------------- DNS

interface Dnsmasq {
  readonly child: ChildProcess;
  readonly ip: string;
  readonly port: number;
}

async function startDnsmasq(dnsmasq: string): Promise<Dnsmasq> {
  // 127.0.0.2:53 first, so every tool decodes it as DNS by port; else a spare port on 127.0.0.1.
  const candidates: Array<[string, number]> = [['127.0.0.2', 53], ['127.0.0.1', await sparePort('udp')]];
  let lastError = '';
  for (const [ip, port] of candidates) {
    const child = spawn(
      dnsmasq,
      [
        '--keep-in-foreground',
        '--conf-file=/dev/null',
        '--no-resolv',
        '--no-hosts',
        '--no-poll',
        `--listen-address=${ip}`,
        '--bind-interfaces',
        `--port=${port}`,
        '--pid-file=',
        '--log-facility=-',
        '--cache-size=1000',
        '--address=/bench.test/10.9.8.7',
        '--address=/bench.test/fd00::7',
        '--txt-record=txt.bench.test,"packetbeat-ts bench"',
        '--mx-host=bench.test,mail.bench.test,10',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => {
      stderr += s;
    });
    let exited = false;
    child.once('close', () => {
      exited = true;
    });
    child.once('error', (err) => {
      exited = true;
      stderr += err.message;
    });
    // Ready once it logs that it started (or gone if it exited).
    const ok = await waitFor(() => exited || stderr.includes('started'), 5000);
    await sleep(100);
    if (ok && !exited) return { child, ip, port };
    await stopChild(child, 'SIGTERM');
    lastError = stderr.trim();
  }
  throw new Error(`dnsmasq did not start: ${lastError}`);
}

/** Sends `total` queries with up to `window` outstanding, a new socket (source port) every 200 queries. */
async function dnsLoad(ip: string, port: number, total: number, window: number): Promise<{ answered: number }> {
  let answered = 0;
  let sent = 0;
  const perSocket = 200;
  while (sent < total) {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(0, '127.0.0.1', () => resolve());
    });
    const outstanding = new Set<number>();
    const batchEnd = Math.min(total, sent + perSocket);
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const pump = (): void => {
        while (outstanding.size < window && sent < batchEnd) {
          const i = sent++;
          const id = (i * 40503) & 0xffff;
          const k = i % 20;
          let q: Buffer;
          if (k < 12) q = dnsQuery(id, `host-${i}.bench.test`, DNS_A);
          else if (k < 15) q = dnsQuery(id, `host-${i}.bench.test`, DNS_AAAA);
          else if (k < 17) q = dnsQuery(id, 'txt.bench.test', DNS_TXT);
          else if (k < 18) q = dnsQuery(id, 'bench.test', DNS_MX);
          else q = dnsQuery(id, `nx-${i}.example.invalid`, DNS_A);
          outstanding.add(id);
          sock.send(q, port, ip);
        }
        if (outstanding.size === 0 && sent >= batchEnd) {
          if (timer !== undefined) clearTimeout(timer);
          resolve();
        }
      };
      // Lost answers: give up on what is still outstanding after 2 s of silence.
      const arm = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        timer = setTimeout(() => {
          outstanding.clear();
          pump();
        }, 2000);
      };
      sock.on('message', (msg) => {
        if (msg.length >= 2 && outstanding.delete(msg.readUInt16BE(0))) answered++;
        arm();
        pump();
      });
      arm();
      pump();
    });
    await new Promise<void>((resolve) => sock.close(() => resolve()));
  }
  return { answered };
}

export async function recordDns(tools: RecordTools, file: string, queries: number): Promise<Recording> {
  if (tools.dnsmasq === undefined) throw new Error('dnsmasq is not installed (apt-get install dnsmasq-base)');
  const dns = await startDnsmasq(tools.dnsmasq);
  try {
    let answered = 0;
    const counts = await recordWith(tools.tcpdump, file, `udp port ${dns.port} and host ${dns.ip}`, async () => {
      answered = (await dnsLoad(dns.ip, dns.port, queries, 32)).answered;
    });
    return {
      requests: queries,
      tcpPorts: [],
      udpPorts: [dns.port],
      serverIps: [dns.ip],
      tcpdumpCaptured: counts.captured,
      kernelDrops: counts.kernelDrops,
      notes: `dnsmasq on ${dns.ip}:${dns.port} (local records), ${queries} queries (A, AAAA, TXT, MX, refused), ${answered} answered`,
    };
  } finally {
    await stopChild(dns.child, 'SIGTERM');
  }
}
