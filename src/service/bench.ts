import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, get, IncomingHttpHeaders, request } from 'node:http';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { parseQuantity } from '../config/units';
import { ENV, PRICE_PATH } from './contract';

/**
 * The price service's benchmark command, `npx projen bench:service` (Linux: it reads RSS from
 * /proc). It runs the bundle, as the image does, in a process of its own:
 *
 * 1. Throughput: autocannon against `GET /price/7` of the service and, in the same run, of a
 *    bare `node:http` server answering the same bytes, in alternating rounds; prints both and
 *    the ratio, and exits 1 when the service reaches less than `TARGET_RATIO` of the bare one.
 * 2. Write memory: RSS of the idle service, then with 25 and with 250 writes in flight, and
 *    the RSS each in-flight write adds.
 */

/** The share of the bare server's throughput the service must reach. */
export const TARGET_RATIO = 0.9;

/** A service or bare server running in a child process. */
export interface Target {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Runs the service bundle with `env` (PORT=0), and resolves once it listens. */
export function startService(bundle: string, env: Record<string, string> = {}): Promise<Target> {
  return launch([bundle], { PORT: '0', ...env });
}

/** What `GET path` answers, without the headers Node adds to every response. */
export interface CapturedResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Node's own per-response headers; the bare server's Node adds them the same way. */
const PER_RESPONSE_HEADERS = ['date', 'connection', 'keep-alive'];

/** One GET on a fresh connection, as `CapturedResponse`. */
export function captureResponse(port: number, path: string): Promise<CapturedResponse> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => (body += chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: ownHeaders(res.headers), body }),
      );
    }).on('error', reject);
  });
}

function ownHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const own = Object.entries(headers).filter(([name]) => !PER_RESPONSE_HEADERS.includes(name));
  return Object.fromEntries(own.map(([name, value]) => [name, String(value)]));
}

/**
 * The bare server: `node:http` answering every request with fixed bytes, with the same
 * keep-alive timeout as the service, so both send byte-identical responses.
 */
const BARE_SERVER = `
const http = require('node:http');
const answer = JSON.parse(process.env.BARE_RESPONSE);
const body = Buffer.from(answer.body);
const server = http.createServer({ keepAliveTimeout: 65000 }, (req, res) => {
  res.writeHead(answer.status, answer.headers);
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ msg: 'bare server listening', port: server.address().port }));
});
`;

/** Runs the bare server answering `response`, and resolves once it listens. */
export function startBareServer(response: CapturedResponse): Promise<Target> {
  return launch(['-e', BARE_SERVER], { BARE_RESPONSE: JSON.stringify(response) });
}

/** Starts node with `args` and resolves with the port of its first JSON line that has one. */
function launch(args: string[], env: Record<string, string>): Promise<Target> {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let pending = '';
    const onData = (chunk: Buffer) => {
      pending += chunk;
      const match = /"port":(\d+)/.exec(pending);
      if (!match) return;
      child.stdout!.off('data', onData).resume();
      resolve({ port: Number(match[1]), pid: child.pid!, stop: () => stop(child) });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`'node ${args[0]}' exited ${code} before listening`)),
    );
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

export interface LoadOptions {
  /** Open connections. */
  readonly connections: number;
  /** Seconds each measured run lasts. */
  readonly durationSec: number;
  /** Runs against each target, alternating, to spread out drift. */
  readonly rounds: number;
  /** Seconds of unmeasured load on each target first, so both are warm (JIT). */
  readonly warmupSec: number;
}

/** One target's figures, averaged over its rounds. */
export interface LoadFigures {
  readonly requestsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Responses that were not 2xx, plus connection errors and timeouts. */
  readonly failures: number;
}

export interface Comparison {
  readonly service: LoadFigures;
  readonly bare: LoadFigures;
  /** Service requests per second over bare ones. */
  readonly ratio: number;
}

/** Loads both targets with `GET path` in alternating rounds and compares them. */
export async function compareThroughput(
  service: Target,
  bare: Target,
  path: string,
  options: LoadOptions,
): Promise<Comparison> {
  const url = (target: Target) => `http://127.0.0.1:${target.port}${path}`;
  for (const target of [service, bare]) {
    await load(url(target), options.connections, options.warmupSec);
  }
  const runs: { service: autocannon.Result[]; bare: autocannon.Result[] } = {
    service: [],
    bare: [],
  };
  for (let round = 0; round < options.rounds; round++) {
    const order = round % 2 === 0 ? (['service', 'bare'] as const) : (['bare', 'service'] as const);
    for (const name of order) {
      const target = name === 'service' ? service : bare;
      runs[name].push(await load(url(target), options.connections, options.durationSec));
    }
  }
  const figures = { service: average(runs.service), bare: average(runs.bare) };
  return { ...figures, ratio: figures.service.requestsPerSec / figures.bare.requestsPerSec };
}

function load(url: string, connections: number, durationSec: number): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration: durationSec });
}

function average(results: autocannon.Result[]): LoadFigures {
  const mean = (pick: (r: autocannon.Result) => number) =>
    results.reduce((sum, r) => sum + pick(r), 0) / results.length;
  return {
    requestsPerSec: mean((r) => r.requests.average),
    p50Ms: mean((r) => r.latency.p50),
    p99Ms: mean((r) => r.latency.p99),
    failures: results.reduce((sum, r) => sum + r.non2xx + r.errors + r.timeouts, 0),
  };
}

/** The comparison as a small table, the ratio and its verdict last. */
export function formatComparison(
  comparison: Comparison,
  path: string,
  options: LoadOptions,
): string {
  const row = (name: string, f: LoadFigures) => {
    const rate = Math.round(f.requestsPerSec).toLocaleString('en-US');
    const latencies = f.p50Ms.toFixed(2).padStart(9) + f.p99Ms.toFixed(2).padStart(9);
    return `  ${name.padEnd(16)}${rate.padStart(10)}${latencies}${`${f.failures}`.padStart(10)}`;
  };
  const verdict = comparison.ratio >= TARGET_RATIO ? 'meets' : 'misses';
  return [
    `GET ${path}: ${options.connections} connections, ${options.rounds} rounds of ` +
      `${options.durationSec} s per target after ${options.warmupSec} s warm-up (autocannon)`,
    `  ${''.padEnd(16)}${'req/s'.padStart(10)}${'p50 ms'.padStart(9)}${'p99 ms'.padStart(9)}` +
      `${'failures'.padStart(10)}`,
    row('price service', comparison.service),
    row('bare node:http', comparison.bare),
    `  ratio ${comparison.ratio.toFixed(3)} (service / bare): ${verdict} the ` +
      `${TARGET_RATIO.toFixed(2)} target`,
  ].join('\n');
}

/** The resident set size of process `pid`, in bytes. */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!kib) throw new Error(`/proc/${pid}/status has no VmRSS line`);
  return Number(kib[1]) * 1024;
}

export interface MemoryOptions {
  /** WRITE_WORKING_MEMORY for the run, e.g. '1Mi'. */
  readonly workingMemory: string;
  /** DATABASE_DELAY for the run: long enough to read RSS while the writes wait. */
  readonly databaseDelay: string;
  /** How many writes to hold in flight, one level after the other. */
  readonly inFlight: readonly number[];
  /** When to read RSS after sending the writes, in milliseconds (within the delay). */
  readonly settleMs: number;
}

export interface MemoryLevel {
  readonly inFlight: number;
  readonly rssBytes: number;
  /** RSS above the idle baseline, per write in flight. */
  readonly perWriteBytes: number;
}

export interface MemoryFigures {
  readonly baselineBytes: number;
  readonly levels: readonly MemoryLevel[];
}

/**
 * Starts the service with the given working memory and delay, reads its idle RSS, then for
 * each level sends that many writes at once, reads RSS while they wait in the store, and
 * waits for all of them to answer 200 before the next level.
 */
export async function measureWriteMemory(
  bundle: string,
  options: MemoryOptions,
): Promise<MemoryFigures> {
  const service = await startService(bundle, {
    [ENV.writeWorkingMemory]: options.workingMemory,
    [ENV.databaseDelay]: options.databaseDelay,
  });
  try {
    await warmUp(service.port);
    const baselineBytes = rssOf(service.pid);
    const levels: MemoryLevel[] = [];
    for (const inFlight of options.inFlight) {
      const writes = Array.from({ length: inFlight }, (_, i) => post(service.port, i + 1));
      await new Promise((resolve) => setTimeout(resolve, options.settleMs));
      const rssBytes = rssOf(service.pid);
      const statuses = await Promise.all(writes);
      const failed = statuses.filter((status) => status !== 200);
      if (failed.length > 0)
        throw new Error(`${failed.length} of ${inFlight} writes failed: ${failed}`);
      levels.push({ inFlight, rssBytes, perWriteBytes: (rssBytes - baselineBytes) / inFlight });
    }
    return { baselineBytes, levels };
  } finally {
    await service.stop();
  }
}

/** Some reads and one write, so the idle baseline includes the code paths the load uses. */
async function warmUp(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) await captureResponse(port, `${PRICE_PATH}/7`);
}

const writeAgent = new Agent({ keepAlive: false, maxSockets: Infinity });

function post(port: number, id: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: PRICE_PATH,
      agent: writeAgent,
    });
    req.on('response', (res) => res.resume().on('end', () => resolve(res.statusCode!)));
    req.on('error', reject);
    req.end(JSON.stringify({ id: `${id}`, value: '1.00' }));
  });
}

const MIB = 2 ** 20;

/** The memory figures as a small table. */
export function formatMemory(figures: MemoryFigures, options: MemoryOptions): string {
  const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
  const lines = [
    `Write memory: ${ENV.writeWorkingMemory}=${options.workingMemory}, ` +
      `${ENV.databaseDelay}=${options.databaseDelay} (RSS from /proc)`,
    `  ${'idle (baseline)'.padEnd(24)}${mib(figures.baselineBytes).padStart(10)}`,
  ];
  for (const level of figures.levels) {
    const added = level.rssBytes - figures.baselineBytes;
    lines.push(
      `  ${`${level.inFlight} writes in flight`.padEnd(24)}${mib(level.rssBytes).padStart(10)}` +
        `   +${mib(added)}, ${mib(level.perWriteBytes)} per write`,
    );
  }
  return lines.join('\n');
}

const USAGE_DEFAULTS = {
  bundle: 'build/service/main.js',
  connections: '50',
  duration: '10',
  rounds: '3',
  warmup: '3',
  'working-memory': '1Mi',
};

async function main(): Promise<void> {
  // projen passes a task's arguments on after a `--`.
  const args = process.argv.slice(2);
  const { values } = parseArgs({
    args: args[0] === '--' ? args.slice(1) : args,
    options: Object.fromEntries(
      Object.entries(USAGE_DEFAULTS).map(([name, value]) => [
        name,
        { type: 'string', default: value },
      ]),
    ),
  });
  const number = (name: keyof typeof USAGE_DEFAULTS) => {
    const parsed = Number(values[name]);
    if (!Number.isInteger(parsed) || parsed < 1) {
      throw new Error(`'--${name}' must be a whole number of at least 1 (got '${values[name]}')`);
    }
    return parsed;
  };
  const options: LoadOptions = {
    connections: number('connections'),
    durationSec: number('duration'),
    rounds: number('rounds'),
    warmupSec: number('warmup'),
  };
  const workingMemory = String(values['working-memory']);
  if (parseQuantity(workingMemory) === undefined) {
    throw new Error(
      `'--working-memory' must be a Kubernetes quantity such as '1Mi' (got '${workingMemory}')`,
    );
  }
  const bundle = String(values.bundle);
  const path = `${PRICE_PATH}/7`;

  const service = await startService(bundle);
  const bare = await startBareServer(await captureResponse(service.port, path));
  let comparison: Comparison;
  try {
    comparison = await compareThroughput(service, bare, path, options);
  } finally {
    await Promise.all([service.stop(), bare.stop()]);
  }
  console.log(formatComparison(comparison, path, options));

  const memory: MemoryOptions = {
    workingMemory,
    databaseDelay: '5s',
    inFlight: [25, 250],
    settleMs: 2500,
  };
  console.log(`\n${formatMemory(await measureWriteMemory(bundle, memory), memory)}`);

  if (comparison.ratio < TARGET_RATIO) {
    throw new Error(
      `the service reached ${comparison.ratio.toFixed(3)} of the bare server, ` +
        `below the ${TARGET_RATIO} target`,
    );
  }
}

if (require.main === module) {
  main().catch((err: Error) => {
    console.error(`bench:service: ${err.message}`);
    process.exit(1);
  });
}
