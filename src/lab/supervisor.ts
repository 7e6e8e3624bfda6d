import { ChildProcess, spawn } from 'node:child_process';
import { get } from 'node:http';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { CompartmentLimits, CompartmentLimitsProps, createCompartmentLimits } from './cgroup';
import { CompartmentEvent, CompartmentFate, MemorySample } from './records';

/** CrashLoopBackOff: how long the supervisor waits before starting an exited process again. */
export interface BackoffOptions {
  /**
   * The wait before the first restart, in milliseconds; each further restart waits twice as
   * long as the one before.
   * @default 10000
   */
  readonly initialMs?: number;

  /**
   * The longest wait, in milliseconds.
   * @default 300000
   */
  readonly capMs?: number;

  /**
   * A process that ran at least this long before it exited starts the doubling afresh (its
   * restart waits `initialMs`), as the kubelet forgets a back-off after 10 minutes; in
   * milliseconds.
   * @default 600000
   */
  readonly resetAfterMs?: number;
}

export interface CompartmentSupervisorOptions {
  /** The compartment's name, used in its cgroup's name and in error messages. */
  readonly name: string;

  /** The program to run, e.g. `process.execPath`; looked up on `PATH` when not a path. */
  readonly command: string;

  /**
   * The program's arguments.
   * @default []
   */
  readonly args?: readonly string[];

  /**
   * The process's environment, besides `PATH` (which it inherits).
   * @default {}
   */
  readonly env?: Readonly<Record<string, string>>;

  /** The loopback port the process listens on, for its readiness probe. */
  readonly port: number;

  /**
   * The readiness probe's path; an answer from 200 to 399 means ready, as in Kubernetes.
   * @default '/ready'
   */
  readonly readyPath?: string;

  /**
   * The limits to run under: made when given as sizes, or made already (see
   * `createCompartmentLimits`). Either way the supervisor owns them and `stop()` removes them.
   */
  readonly limits: CompartmentLimits | CompartmentLimitsProps;

  /** The run's clock: milliseconds since the run's start, for events and memory samples. */
  readonly clock: () => number;

  /**
   * The back-off between restarts.
   * @default - 10 s doubling up to 5 min, reset after 10 min of running
   */
  readonly backoff?: BackoffOptions;

  /**
   * How often to read the compartment's memory, in milliseconds.
   * @default 100
   */
  readonly sampleEveryMs?: number;

  /**
   * How long a started process may take to become ready, in milliseconds. `start()` rejects
   * when the first process is not ready in time; a restarted one is killed and restarted, as a
   * failing startup probe would have it.
   * @default 30000
   */
  readonly readyTimeoutMs?: number;

  /**
   * Pause between readiness probes, in milliseconds.
   * @default 50
   */
  readonly readyPollMs?: number;

  /**
   * How long `stop()` waits after SIGTERM before it sends SIGKILL, in milliseconds.
   * @default 5000
   */
  readonly stopGraceMs?: number;

  /**
   * Called with each event as it is recorded, e.g. to log it.
   * @default - none
   */
  readonly onEvent?: (event: CompartmentEvent) => void;
}

/** How many of the process's last output lines are kept, per stream. */
export const OUTPUT_LINES_KEPT = 50;

/** How many of them an error message quotes. */
const OUTPUT_LINES_QUOTED = 10;

/** The longest output line kept, in characters; longer ones are cut. */
const OUTPUT_LINE_MAX = 4096;

/** Without an OOM counter, a SIGKILL at this share of the limit counts as an OOM kill. */
const NEAR_LIMIT = 0.9;

/** How long to wait for a process to exit after SIGKILL, in milliseconds. */
const KILL_WAIT_MS = 2_000;

/** How long to wait for an exited process's last output, in milliseconds. */
const OUTPUT_WAIT_MS = 500;

/** Longest wait for one readiness answer, in milliseconds. */
const PROBE_TIMEOUT_MS = 1_000;

/**
 * The wait before the `restart`-th restart of a crash loop (1 for the first), in milliseconds:
 * min(initialMs × 2^(restart − 1), capMs), i.e. 10 s, 20 s, 40 s, … 300 s by default.
 */
export function backoffDelayMs(restart: number, initialMs: number, capMs: number): number {
  if (!Number.isInteger(restart) || restart < 1) {
    throw new Error(`'restart' must be a whole number of at least 1 (got ${restart})`);
  }
  return Math.min(initialMs * 2 ** Math.min(restart - 1, 60), capMs);
}

/**
 * How long the compartment was not ready, in milliseconds: from each `exited` event to the
 * next `ready`, or to `endMs` when it never became ready again.
 */
export function downtimeMs(events: readonly CompartmentEvent[], endMs: number): number {
  let total = 0;
  let downSince: number | undefined;
  for (const event of events) {
    if (event.kind === 'exited' && downSince === undefined) downSince = event.atMs;
    if (event.kind === 'ready' && downSince !== undefined) {
      total += event.atMs - downSince;
      downSince = undefined;
    }
  }
  return downSince === undefined ? total : total + endMs - downSince;
}

/**
 * The command that runs `command` inside the cgroups whose `cgroup.procs` files are given:
 * a shell writes its own pid into each, then execs the command in its place, so the process
 * is limited before it allocates anything. Exit 125 when it cannot join.
 */
export function joiningCommand(
  procsFiles: readonly string[],
  command: string,
  args: readonly string[],
): { command: string; args: string[] } {
  if (procsFiles.length === 0) return { command, args: [...args] };
  const script =
    'while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; shift; exec "$@"';
  return { command: '/bin/sh', args: ['-c', script, 'sh', ...procsFiles, '--', command, ...args] };
}

/** How the wait for readiness ended. */
type Readiness = 'ready' | 'exited' | 'timeout' | 'stopped';

/**
 * Runs one compartment process the way a kubelet runs a container with `restartPolicy:
 * Always`: inside its limits, probed for readiness, and started again after every exit with
 * CrashLoopBackOff delays. Records what happens as `CompartmentEvent`s and the memory use as
 * `MemorySample`s, and hands both over as a `CompartmentFate` on `stop()`.
 *
 * Until `stop()` the supervisor keeps the event loop alive (its process or its restart timer).
 */
export class CompartmentSupervisor {
  private readonly name: string;
  private readonly readyUrl: string;
  private readonly clock: () => number;
  private readonly backoff: Required<BackoffOptions>;
  private readonly sampleEveryMs: number;
  private readonly readyTimeoutMs: number;
  private readonly readyPollMs: number;
  private readonly stopGraceMs: number;

  private readonly events: CompartmentEvent[] = [];
  private readonly samples: MemorySample[] = [];
  private readonly stdout = new OutputTail();
  private readonly stderr = new OutputTail();

  private ownLimits?: CompartmentLimits;
  private child?: ChildProcess;
  private childOutputClosed: Promise<void> = Promise.resolve();
  private generation = 0;
  private phase: 'idle' | 'starting' | 'running' | 'stopping' = 'idle';
  private isReady = false;
  private restarts = 0;
  private crashStreak = 0;
  private runStartedAtMs = 0;
  private runPeakBytes = 0;
  private oomKillsSeen = 0;
  private lastExit = '';
  private killedUnready = false;
  private sampler?: NodeJS.Timeout;
  private restartTimer?: NodeJS.Timeout;
  private fate?: Promise<CompartmentFate>;

  constructor(private readonly options: CompartmentSupervisorOptions) {
    this.name = options.name;
    this.readyUrl = `http://127.0.0.1:${options.port}${options.readyPath ?? '/ready'}`;
    this.clock = options.clock;
    this.backoff = {
      initialMs: options.backoff?.initialMs ?? 10_000,
      capMs: options.backoff?.capMs ?? 300_000,
      resetAfterMs: options.backoff?.resetAfterMs ?? 600_000,
    };
    this.sampleEveryMs = options.sampleEveryMs ?? 100;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.readyPollMs = options.readyPollMs ?? 50;
    this.stopGraceMs = options.stopGraceMs ?? 5_000;
    checkAtLeast('port', options.port, 1);
    checkAtLeast('backoff.initialMs', this.backoff.initialMs, 0);
    checkAtLeast('backoff.capMs', this.backoff.capMs, this.backoff.initialMs);
    checkAtLeast('sampleEveryMs', this.sampleEveryMs, 1);
    checkAtLeast('readyTimeoutMs', this.readyTimeoutMs, 1);
    checkAtLeast('stopGraceMs', this.stopGraceMs, 0);
  }

  /** The limits the process runs under; made by `start()` when given as sizes. */
  get limits(): CompartmentLimits | undefined {
    return this.ownLimits ?? (isLimits(this.options.limits) ? this.options.limits : undefined);
  }

  /** The running process's id, or undefined while there is none. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Whether the running process has answered its readiness probe. */
  get ready(): boolean {
    return this.isReady;
  }

  /** The last lines the process (across restarts) wrote to each stream. */
  output(): { stdout: readonly string[]; stderr: readonly string[] } {
    return { stdout: this.stdout.lines(), stderr: this.stderr.lines() };
  }

  /**
   * Makes the limits, starts the process and resolves once it is ready. Rejects, after
   * stopping everything (as `stop()`), when the process exits first or is not ready within
   * `readyTimeoutMs`; the message names the compartment and quotes its last output.
   */
  async start(): Promise<void> {
    if (this.phase !== 'idle') {
      throw new Error(`compartment '${this.name}' was already started`);
    }
    this.phase = 'starting';
    const limits = this.makeLimits();
    this.oomKillsSeen = limits.oomKills() ?? 0;
    this.sampler = setInterval(() => this.takeSample(), this.sampleEveryMs).unref();
    const generation = this.spawnProcess();
    const readiness = await this.awaitReadiness(generation);
    if (readiness === 'ready') {
      this.phase = 'running';
      return;
    }
    const message = await this.startFailure(readiness);
    await this.stop();
    throw new Error(message);
  }

  /**
   * Stops restarting, ends the process (SIGTERM, then SIGKILL after `stopGraceMs`), records
   * `stopped`, removes the limits and returns the compartment's fate. Calling it again returns
   * the same fate.
   */
  stop(): Promise<CompartmentFate> {
    this.fate ??= this.shutDown();
    return this.fate;
  }

  private makeLimits(): CompartmentLimits {
    const given = this.options.limits;
    this.ownLimits = isLimits(given) ? given : createCompartmentLimits(this.name, given);
    return this.ownLimits;
  }

  private spawnProcess(): number {
    const generation = ++this.generation;
    const limits = this.limits!;
    const { command, args } = joiningCommand(
      limits.procsFiles,
      this.options.command,
      this.options.args ?? [],
    );
    const child = spawn(command, args, {
      env: { PATH: process.env.PATH, ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.childOutputClosed = new Promise((resolve) => child.once('close', () => resolve()));
    this.stdout.follow(child.stdout!);
    this.stderr.follow(child.stderr!);
    child.once('exit', (code, signal) => this.onExit(generation, describeExit(code, signal)));
    child.once('error', (err) => {
      if (child.pid === undefined) this.onExit(generation, `spawn failed: ${err.message}`);
    });
    if (limits.procsFiles.length === 0 && child.pid !== undefined) limits.add(child.pid);
    this.runStartedAtMs = this.clock();
    this.runPeakBytes = 0;
    this.killedUnready = false;
    this.record({ kind: 'started', detail: `pid ${child.pid}` });
    return generation;
  }

  private onExit(generation: number, how: string): void {
    if (generation !== this.generation || this.child === undefined) return;
    this.child = undefined;
    this.isReady = false;
    if (this.phase === 'stopping') {
      this.lastExit = how;
      return;
    }
    const detail = this.killedUnready ? `${how} (not ready within ${this.readyTimeoutMs} ms)` : how;
    this.lastExit = detail;
    const exitedAtMs = this.clock();
    this.record({ kind: 'exited', detail });
    if (this.killedForMemory(how)) this.record({ kind: 'oom-killed', detail: this.limitText() });
    if (this.phase === 'running') this.scheduleRestart(exitedAtMs);
  }

  /**
   * Whether the kernel killed the process for memory: its OOM-kill counter rose or, where the
   * kernel keeps none, a SIGKILL came at 90% of the limit or more.
   */
  private killedForMemory(how: string): boolean {
    const limits = this.limits!;
    const kills = limits.oomKills();
    if (kills !== undefined) {
      const rose = kills > this.oomKillsSeen;
      this.oomKillsSeen = kills;
      return rose;
    }
    const limit = limits.memoryLimitBytes;
    return (
      how === 'signal SIGKILL' && limit !== undefined && this.runPeakBytes >= NEAR_LIMIT * limit
    );
  }

  private limitText(): string {
    return `limit ${this.limits!.memoryLimitBytes} bytes (${this.limits!.mechanism})`;
  }

  private scheduleRestart(exitedAtMs: number): void {
    if (exitedAtMs - this.runStartedAtMs >= this.backoff.resetAfterMs) this.crashStreak = 0;
    this.crashStreak++;
    const delayMs = backoffDelayMs(this.crashStreak, this.backoff.initialMs, this.backoff.capMs);
    this.record({ kind: 'restart-scheduled', delayMs });
    this.restartTimer = setTimeout(() => void this.restart(), delayMs);
  }

  private async restart(): Promise<void> {
    this.restartTimer = undefined;
    if (this.phase !== 'running') return;
    this.restarts++;
    const generation = this.spawnProcess();
    const readiness = await this.awaitReadiness(generation);
    if (readiness === 'timeout' && this.isCurrent(generation)) {
      this.killedUnready = true;
      this.child!.kill('SIGKILL');
    }
  }

  /** Probes until ready (recording `ready`), exited, stopped, or `readyTimeoutMs` is over. */
  private async awaitReadiness(generation: number): Promise<Readiness> {
    const deadline = performance.now() + this.readyTimeoutMs;
    for (;;) {
      if (this.stopping) return 'stopped';
      if (!this.isCurrent(generation)) return 'exited';
      const remaining = deadline - performance.now();
      if (remaining <= 0) return 'timeout';
      const answered = await probe(this.readyUrl, Math.min(PROBE_TIMEOUT_MS, remaining));
      if (answered && this.isCurrent(generation) && !this.stopping) {
        this.isReady = true;
        this.record({ kind: 'ready' });
        return 'ready';
      }
      await sleep(Math.max(0, Math.min(this.readyPollMs, deadline - performance.now())));
    }
  }

  /** Whether `stop()` has begun; a getter, as it changes while a wait is pending. */
  private get stopping(): boolean {
    return this.phase === 'stopping';
  }

  private isCurrent(generation: number): boolean {
    return this.child !== undefined && this.generation === generation;
  }

  private async startFailure(readiness: Readiness): Promise<string> {
    if (readiness === 'stopped') {
      return `compartment '${this.name}' was stopped before it was ready`;
    }
    if (readiness === 'exited') {
      await withTimeout(this.childOutputClosed, OUTPUT_WAIT_MS);
      const exit = `compartment '${this.name}' exited (${this.lastExit}) before it was ready`;
      return `${exit} at ${this.readyUrl}; ${this.quoteOutput()}`;
    }
    return (
      `compartment '${this.name}' was not ready at ${this.readyUrl} within ` +
      `${this.readyTimeoutMs} ms ('readyTimeoutMs'); ${this.quoteOutput()}`
    );
  }

  /** The last lines of stderr, or of stdout when stderr is empty (the service logs there). */
  private quoteOutput(): string {
    for (const [stream, tail] of [
      ['stderr', this.stderr],
      ['stdout', this.stdout],
    ] as const) {
      const lines = tail.lines().slice(-OUTPUT_LINES_QUOTED);
      if (lines.length > 0) return `last ${stream} lines:\n${lines.join('\n')}`;
    }
    return 'it wrote nothing';
  }

  private async shutDown(): Promise<CompartmentFate> {
    this.phase = 'stopping';
    clearTimeout(this.restartTimer);
    const ending = await this.endProcess();
    clearInterval(this.sampler);
    if (this.ownLimits) this.takeSample();
    const stoppedAtMs = this.clock();
    this.record({ kind: 'stopped', detail: ending });
    const limits = this.limits;
    const fate = this.fateAt(stoppedAtMs, limits);
    await limits?.remove();
    return fate;
  }

  /** Ends the running process; says how it ended. */
  private async endProcess(): Promise<string> {
    const child = this.child;
    if (child === undefined) return 'not running';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    if (await withTimeout(exited, this.stopGraceMs)) return `sent SIGTERM, ${this.lastExit}`;
    child.kill('SIGKILL');
    const killed = `sent SIGTERM, then SIGKILL after ${this.stopGraceMs} ms grace`;
    if (await withTimeout(exited, KILL_WAIT_MS)) return `${killed}, ${this.lastExit}`;
    return `${killed}; pid ${child.pid} still running ${KILL_WAIT_MS} ms later`;
  }

  private fateAt(stoppedAtMs: number, limits?: CompartmentLimits): CompartmentFate {
    const sampled = this.samples.reduce((peak, sample) => Math.max(peak, sample.bytes), 0);
    return {
      name: this.name,
      memoryLimitBytes: limits?.memoryLimitBytes,
      limitMechanism: limits?.mechanism ?? 'none: the compartment was never started',
      peakMemoryBytes: Math.max(limits?.peakBytes() ?? 0, sampled),
      oomKills: this.events.filter((event) => event.kind === 'oom-killed').length,
      restarts: this.restarts,
      downMs: downtimeMs(this.events, stoppedAtMs),
      events: [...this.events],
      memory: [...this.samples],
    };
  }

  private takeSample(): void {
    let bytes: number;
    try {
      bytes = this.limits!.usageBytes();
    } catch {
      return;
    }
    this.samples.push({ atMs: this.clock(), bytes });
    this.runPeakBytes = Math.max(this.runPeakBytes, bytes);
  }

  private record(event: Omit<CompartmentEvent, 'atMs'>): void {
    const recorded: CompartmentEvent = { atMs: this.clock(), ...event };
    this.events.push(recorded);
    this.options.onEvent?.(recorded);
  }
}

/** Rejects an option that is not a whole number of at least `min`. */
function checkAtLeast(option: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`'${option}' must be a whole number of at least ${min} (got ${value})`);
  }
}

function isLimits(limits: CompartmentLimits | CompartmentLimitsProps): limits is CompartmentLimits {
  return 'mechanism' in limits;
}

function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return code !== null ? `code ${code}` : `signal ${signal}`;
}

/** Whether `url` answers 200–399 within `timeoutMs`. */
function probe(url: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 400);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/** Whether `promise` settled within `ms`; the timer never outlives the wait. */
async function withTimeout(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** The last `OUTPUT_LINES_KEPT` lines of a stream, across the processes that wrote to it. */
class OutputTail {
  private readonly kept: string[] = [];
  private partial = '';

  follow(stream: Readable): void {
    this.partial = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => this.push(chunk));
    stream.once('end', () => this.flush());
  }

  lines(): readonly string[] {
    return [...this.kept];
  }

  private push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop()!.slice(0, OUTPUT_LINE_MAX);
    for (const line of parts) this.keep(line);
  }

  private flush(): void {
    if (this.partial) this.keep(this.partial);
    this.partial = '';
  }

  private keep(line: string): void {
    this.kept.push(line.slice(0, OUTPUT_LINE_MAX));
    if (this.kept.length > OUTPUT_LINES_KEPT) this.kept.shift();
  }
}
