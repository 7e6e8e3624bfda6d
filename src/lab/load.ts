import { Agent, request } from 'node:http';
import { extname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { Endpoint as Address } from '../mesh/local/haproxy';
import type { AttackWorkerData, AttackWorkerMessage } from './attack-worker';
import { Endpoint, Phase, RequestRecord } from './records';

/** One kind of request an attack sends, over and over. */
export interface Target {
  readonly method: 'GET' | 'POST';
  readonly path: string;

  /** The request body, sent with `content-type: application/json`. */
  readonly body?: string;
}

export interface AttackOptions {
  /** The endpoint the records are filed under. */
  readonly endpoint: Endpoint;

  /** The phase the records are filed under. */
  readonly phase: Phase;

  /** Where the gateway listens. */
  readonly address: Address;

  /** The request to send. */
  readonly target: Target;

  /** Requests per second; they leave on schedule whatever earlier ones are doing. */
  readonly rate: number;

  /** How long to send for, in milliseconds. */
  readonly durationMs: number;

  /** When to send the first request, on `clock`. */
  readonly startMs: number;

  /** Milliseconds since the run's start. */
  readonly clock: () => number;

  /**
   * How long one request may take before it is abandoned and recorded as `timeout`, in
   * milliseconds (Vegeta's default).
   * @default 30000
   */
  readonly timeoutMs?: number;
}

/** The most requests one attack may plan, so that a typo in a rate cannot exhaust the machine. */
export const MAX_REQUESTS_PER_ATTACK = 200_000;

/**
 * Sends `rate` requests per second for `durationMs`, as Vegeta does: an open model, where
 * request n leaves at `startMs + n / rate` whether or not earlier requests have returned, so
 * a slow server faces a growing pile of requests instead of a politely waiting client. Each
 * request in flight has its own connection; idle connections are reused (keep-alive).
 * Resolves with every request's record, in the order they were sent, once the last one has
 * returned or timed out.
 */
export async function attack(options: AttackOptions): Promise<RequestRecord[]> {
  const total = plannedRequests(options);
  const interval = 1000 / options.rate;
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const inFlight: Promise<RequestRecord>[] = [];
  try {
    for (let n = 0; n < total; n++) {
      const dueMs = options.startMs + n * interval;
      const waitMs = dueMs - options.clock();
      if (waitMs > 1) await sleep(waitMs);
      inFlight.push(send(options, agent, dueMs));
    }
    return await Promise.all(inFlight);
  } finally {
    agent.destroy();
  }
}

/**
 * How many requests an attack sends: one at its start and one every `1 / rate` seconds
 * within its duration.
 * @throws Error naming the option when the rate or the duration is not positive, or when
 *   the attack would plan more than `MAX_REQUESTS_PER_ATTACK` requests
 */
export function plannedRequests({ endpoint, rate, durationMs }: AttackOptions): number {
  if (!(rate > 0)) throw new Error(`'${endpoint} rate' must be above 0 per second (got ${rate})`);
  if (!(durationMs > 0)) {
    throw new Error(`'${endpoint} duration' must be above 0 ms (got ${durationMs})`);
  }
  const total = Math.ceil((rate * durationMs) / 1000);
  if (total > MAX_REQUESTS_PER_ATTACK) {
    throw new Error(
      `'${endpoint} rate' × duration must plan at most ${MAX_REQUESTS_PER_ATTACK} requests ` +
        `(got ${rate}/s for ${durationMs} ms = ${total})`,
    );
  }
  return total;
}

function send(options: AttackOptions, agent: Agent, scheduledMs: number): Promise<RequestRecord> {
  const { address, target, clock, endpoint, phase } = options;
  const sentMs = clock();
  const record = (status: number, error?: string): RequestRecord => ({
    endpoint,
    phase,
    scheduledMs: roundMs(scheduledMs),
    sentMs: roundMs(sentMs),
    latencyMs: roundMs(clock() - sentMs),
    status,
    ...(error ? { error } : {}),
  });

  return new Promise((resolve) => {
    const headers: Record<string, string | number> = {
      'content-length': Buffer.byteLength(target.body ?? ''),
    };
    if (target.body) headers['content-type'] = 'application/json';
    const req = request(
      { ...address, method: target.method, path: target.path, headers, agent },
      (res) => {
        res.resume();
        res.once('end', () => resolve(record(res.statusCode ?? 0)));
        res.once('error', (err) => resolve(record(0, errorCode(err))));
      },
    );
    const timer = setTimeout(() => req.destroy(new TimeoutError()), options.timeoutMs ?? 30_000);
    req.once('close', () => clearTimeout(timer));
    req.once('error', (err) => resolve(record(0, errorCode(err))));
    req.end(target.body);
  });
}

class TimeoutError extends Error {
  readonly code = 'timeout';
}

function errorCode(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? err.message;
}

/** Milliseconds to a tenth, which is finer than the loopback's jitter and keeps the JSON small. */
export function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** Attacks sent from a worker thread of their own (see `attack-worker.ts`). */
export class AttackWorker {
  /**
   * Starts a worker for `data`'s attacks and resolves once it has sent its warm-up and waits
   * for the run's start.
   */
  static async start(data: AttackWorkerData): Promise<AttackWorker> {
    const worker = new AttackWorker(spawnWorker(data));
    await worker.next('ready');
    return worker;
  }

  private constructor(private readonly worker: Worker) {}

  /**
   * Starts the attacks on the run's clock, whose zero is `originMs` on the
   * `performance.timeOrigin + performance.now()` scale; resolves with their records.
   */
  async run(originMs: number): Promise<RequestRecord[]> {
    const done = this.next('done');
    this.worker.postMessage({ originMs });
    try {
      return ((await done) as { records: RequestRecord[] }).records;
    } finally {
      await this.worker.terminate();
    }
  }

  /** Ends the worker, whatever it is doing. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private next(kind: 'ready' | 'done'): Promise<AttackWorkerMessage> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: AttackWorkerMessage) => {
        this.worker.off('error', reject);
        if (message.kind === kind) return resolve(message);
        reject(new Error(`the attack worker failed: ${(message as { message?: string }).message}`));
      };
      this.worker.once('message', onMessage);
      this.worker.once('error', reject);
    });
  }
}

/**
 * The worker thread for `data`. Run from TypeScript sources (ts-node, jest), the worker
 * registers ts-node itself, since a worker does not inherit the parent's require hooks.
 */
function spawnWorker(data: AttackWorkerData): Worker {
  const entry = join(__dirname, `attack-worker${extname(__filename)}`);
  if (extname(entry) !== '.ts') return new Worker(entry, { workerData: data });
  const script =
    "require('ts-node').register({ transpileOnly: true });" + `require(${JSON.stringify(entry)});`;
  return new Worker(script, { eval: true, workerData: data });
}
