import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createCompartmentLimits } from '../../src/lab/cgroup';
import { freePort } from '../../src/lab/gateway';
import { CompartmentEvent, CompartmentFate } from '../../src/lab/records';
import {
  backoffDelayMs,
  CompartmentSupervisor,
  CompartmentSupervisorOptions,
  downtimeMs,
  joiningCommand,
} from '../../src/lab/supervisor';
import { kernelTest, MiB, until } from './support/kernel';

const FAKE_COMPARTMENT = join(__dirname, 'support', 'fake-compartment.js');

/** Milliseconds since the fixture was made. */
function runClock(): () => number {
  const start = performance.now();
  return () => Math.round(performance.now() - start);
}

interface Fixture {
  readonly supervisor: CompartmentSupervisor;
  readonly port: number;
  /** The fake compartment's start counter (see support/fake-compartment.js). */
  readonly startCountFile: string;
  /** Stops the supervisor (if the test has not) and removes the temporary folder. */
  cleanup(): Promise<void>;
}

/** A supervisor of the fake compartment with `env`; each test makes its own. */
async function supervise(
  env: Record<string, string>,
  options: Partial<CompartmentSupervisorOptions> = {},
): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-supervisor-'));
  const port = await freePort();
  const startCountFile = join(dir, 'starts');
  const supervisor = new CompartmentSupervisor({
    name: 'write',
    command: process.execPath,
    args: [FAKE_COMPARTMENT],
    env: { PORT: String(port), START_COUNT_FILE: startCountFile, ...env },
    port,
    limits: { memoryBytes: 256 * MiB },
    clock: runClock(),
    backoff: { initialMs: 100, capMs: 250 },
    sampleEveryMs: 20,
    readyTimeoutMs: 5_000,
    stopGraceMs: 2_000,
    ...options,
  });
  const cleanup = async () => {
    await supervisor.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  return { supervisor, port, startCountFile, cleanup };
}

function kinds(fate: CompartmentFate): string[] {
  return fate.events.map((event) => event.kind);
}

function delays(fate: CompartmentFate): Array<number | undefined> {
  return fate.events.filter((e) => e.kind === 'restart-scheduled').map((e) => e.delayMs);
}

/** Counts the events of one kind in `recorded` as they arrive. */
function counter(recorded: CompartmentEvent[]) {
  return (kind: CompartmentEvent['kind']) => recorded.filter((event) => event.kind === kind).length;
}

/** Whether process `pid` exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function post(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.once('error', reject);
    req.end();
  });
}

describe('CompartmentSupervisor', () => {
  test('resolves start() once the process is ready, and samples its memory', async () => {
    const { supervisor, cleanup } = await supervise({});
    try {
      await supervisor.start();
      expect(supervisor.ready).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const pid = supervisor.pid!;
      const fate = await supervisor.stop();
      expect(kinds(fate)).toEqual(['started', 'ready', 'stopped']);
      expect(fate.events[0].detail).toBe(`pid ${pid}`);
      expect(fate.events[2].detail).toBe('sent SIGTERM, signal SIGTERM');
      expect(fate).toMatchObject({ name: 'write', oomKills: 0, restarts: 0, downMs: 0 });
      expect(fate.memory.length).toBeGreaterThan(5);
      expect(Math.max(...fate.memory.map((sample) => sample.bytes))).toBeGreaterThan(MiB);
      expect(fate.peakMemoryBytes).toBeGreaterThanOrEqual(
        Math.max(...fate.memory.map((sample) => sample.bytes)),
      );
      expect(fate.memory.every((s, i) => i === 0 || s.atMs >= fate.memory[i - 1].atMs)).toBe(true);
      expect(supervisor.output().stdout).toEqual([
        '{"msg":"starting","start":1}',
        '{"msg":"listening","start":1}',
      ]);
    } finally {
      await cleanup();
    }
  });

  test('restarts a crashing process after back-offs that double up to the cap', async () => {
    const recorded: CompartmentEvent[] = [];
    const { supervisor, cleanup } = await supervise(
      { CRASHES: '4', CRASH_AFTER_MS: '30' },
      { onEvent: (event) => recorded.push(event) },
    );
    try {
      await supervisor.start();
      const count = counter(recorded);
      await until(() => count('ready') === 5, 'the fifth ready');
      const fate = await supervisor.stop();
      const cycle = ['exited', 'restart-scheduled', 'started', 'ready'];
      expect(kinds(fate)).toEqual([
        'started',
        'ready',
        ...cycle,
        ...cycle,
        ...cycle,
        ...cycle,
        'stopped',
      ]);
      expect(delays(fate)).toEqual([100, 200, 250, 250]);
      expect(fate.events.filter((e) => e.kind === 'exited').map((e) => e.detail)).toEqual(
        Array(4).fill('code 1'),
      );
      expect(fate.restarts).toBe(4);
      expect(fate.oomKills).toBe(0);
      expect(fate.events).toEqual(recorded);
      for (const [index, event] of fate.events.entries()) {
        if (event.kind !== 'restart-scheduled') continue;
        const next = fate.events[index + 1];
        expect(next.atMs - event.atMs).toBeGreaterThanOrEqual(event.delayMs! - 1);
      }
      expect(fate.downMs).toBeGreaterThanOrEqual(800);
      expect(fate.downMs).toBeLessThan(800 + 4 * 1_000);
    } finally {
      await cleanup();
    }
  });

  test('starts the doubling afresh after a process ran for resetAfterMs', async () => {
    const recorded: CompartmentEvent[] = [];
    const { supervisor, cleanup } = await supervise(
      { CRASHES: '3', CRASH_AFTER_MS: '250' },
      {
        backoff: { initialMs: 100, capMs: 1_000, resetAfterMs: 200 },
        onEvent: (event) => recorded.push(event),
      },
    );
    try {
      await supervisor.start();
      const count = counter(recorded);
      await until(() => count('ready') === 4, 'the fourth ready');
      const fate = await supervisor.stop();
      expect(delays(fate)).toEqual([100, 100, 100]);
    } finally {
      await cleanup();
    }
  });

  test('stops during a back-off without starting the process again', async () => {
    const recorded: CompartmentEvent[] = [];
    const { supervisor, cleanup } = await supervise(
      { CRASHES: '1', CRASH_AFTER_MS: '0' },
      { backoff: { initialMs: 300 }, onEvent: (event) => recorded.push(event) },
    );
    try {
      await supervisor.start();
      const count = counter(recorded);
      await until(() => count('restart-scheduled') === 1, 'the restart-scheduled event');
      const fate = await supervisor.stop();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(kinds(fate)).toEqual(['started', 'ready', 'exited', 'restart-scheduled', 'stopped']);
      expect(fate.events[4].detail).toBe('not running');
      expect(fate.downMs).toBe(fate.events[4].atMs - fate.events[2].atMs);
      expect(recorded.map((event) => event.kind)).toEqual(kinds(fate));
    } finally {
      await cleanup();
    }
  });

  test('kills and restarts a restarted process that is not ready within readyTimeoutMs', async () => {
    const recorded: CompartmentEvent[] = [];
    const { supervisor, cleanup } = await supervise(
      { CRASHES: '1', CRASH_AFTER_MS: '0', STALL_FROM_START: '2' },
      { readyTimeoutMs: 300, onEvent: (event) => recorded.push(event) },
    );
    try {
      await supervisor.start();
      const count = counter(recorded);
      await until(() => count('restart-scheduled') === 2, 'the second restart-scheduled');
      const fate = await supervisor.stop();
      expect(kinds(fate)).toEqual([
        'started',
        'ready',
        'exited',
        'restart-scheduled',
        'started',
        'exited',
        'restart-scheduled',
        'stopped',
      ]);
      expect(fate.events[5].detail).toBe('signal SIGKILL (not ready within 300 ms)');
      expect(fate.events[5].atMs - fate.events[4].atMs).toBeGreaterThanOrEqual(300);
      expect(delays(fate)).toEqual([100, 200]);
    } finally {
      await cleanup();
    }
  });

  test('kills a process that ignores SIGTERM after the grace and leaves nothing behind', async () => {
    const { supervisor, cleanup } = await supervise({ IGNORE_SIGTERM: '1' }, { stopGraceMs: 200 });
    try {
      await supervisor.start();
      const pid = supervisor.pid!;
      const directories = supervisor.limits!.directories;
      const fate = await supervisor.stop();
      expect(fate.events.at(-1)!.detail).toBe(
        'sent SIGTERM, then SIGKILL after 200 ms grace, signal SIGKILL',
      );
      expect(alive(pid)).toBe(false);
      expect(directories.filter((dir) => existsSync(dir))).toEqual([]);
      expect(supervisor.pid).toBeUndefined();
    } finally {
      await cleanup();
    }
  });

  test('returns the same fate when stopped twice', async () => {
    const { supervisor, cleanup } = await supervise({});
    try {
      await supervisor.start();
      const first = await supervisor.stop();
      expect(await supervisor.stop()).toBe(first);
      expect(kinds(first)).toEqual(['started', 'ready', 'stopped']);
    } finally {
      await cleanup();
    }
  });

  test('rejects start() with the exit code and last stderr lines when it exits before ready', async () => {
    const { supervisor, port, cleanup } = await supervise({
      EXIT_CODE: '3',
      EXIT_MESSAGE: "'DATABASE_DELAY' must be a duration (got soon)",
    });
    try {
      await expect(supervisor.start()).rejects.toThrow(
        new Error(
          `compartment 'write' exited (code 3) before it was ready at ` +
            `http://127.0.0.1:${port}/ready; last stderr lines:\n` +
            "'DATABASE_DELAY' must be a duration (got soon)",
        ),
      );
      const directories = supervisor.limits!.directories;
      const fate = await supervisor.stop();
      expect(kinds(fate)).toEqual(['started', 'exited', 'stopped']);
      expect(fate.events[1].detail).toBe('code 3');
      expect(directories.filter((dir) => existsSync(dir))).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  test('rejects start() quoting stdout when the process is not ready within readyTimeoutMs', async () => {
    const { supervisor, port, cleanup } = await supervise(
      { READY_DELAY_MS: '10000' },
      { readyTimeoutMs: 300 },
    );
    try {
      const started = performance.now();
      await expect(supervisor.start()).rejects.toThrow(
        new Error(
          `compartment 'write' was not ready at http://127.0.0.1:${port}/ready within 300 ms ` +
            `('readyTimeoutMs'); last stdout lines:\n{"msg":"starting","start":1}`,
        ),
      );
      expect(performance.now() - started).toBeLessThan(300 + 2_500);
      const fate = await supervisor.stop();
      expect(kinds(fate)).toEqual(['started', 'stopped']);
      expect(fate.events[1].detail).toBe('sent SIGTERM, signal SIGTERM');
    } finally {
      await cleanup();
    }
  });

  test('rejects a second start()', async () => {
    const { supervisor, cleanup } = await supervise({});
    try {
      await supervisor.start();
      await expect(supervisor.start()).rejects.toThrow(
        new Error("compartment 'write' was already started"),
      );
    } finally {
      await cleanup();
    }
  });

  test('runs without a limit and samples RSS when no cgroup can be made', async () => {
    const missing = join(tmpdir(), 'bulkhead-no-cgroup-here');
    const limits = createCompartmentLimits(
      'write',
      { memoryBytes: 64 * MiB },
      { roots: { unified: [missing], memory: missing } },
    );
    const { supervisor, cleanup } = await supervise({}, { limits });
    try {
      await supervisor.start();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const fate = await supervisor.stop();
      expect(fate.limitMechanism).toBe(
        `none: no cgroup v2 hierarchy offers memory (looked in ${missing}); ` +
          `no cgroup v1 memory controller at ${missing}`,
      );
      expect(fate.memoryLimitBytes).toBeUndefined();
      expect(Math.max(...fate.memory.map((sample) => sample.bytes))).toBeGreaterThan(10 * MiB);
      expect(fate.peakMemoryBytes).toBeGreaterThan(10 * MiB);
    } finally {
      await cleanup();
    }
  });
});

describe('CompartmentSupervisor under a kernel memory limit', () => {
  const kernel = kernelTest();

  kernel.run(`runs the process inside its cgroup from its start${kernel.because}`, async () => {
    const { supervisor, cleanup } = await supervise({}, { limits: { memoryBytes: 128 * MiB } });
    try {
      await supervisor.start();
      const procs = readFileSync(supervisor.limits!.procsFiles[0], 'utf8');
      expect(procs.trim().split('\n')).toEqual([String(supervisor.pid)]);
    } finally {
      await cleanup();
    }
  });

  kernel.run(`records an OOM kill over the limit and restarts${kernel.because}`, async () => {
    const recorded: CompartmentEvent[] = [];
    const { supervisor, port, cleanup } = await supervise(
      {},
      {
        limits: { memoryBytes: 64 * MiB },
        backoff: { initialMs: 200 },
        onEvent: (event) => recorded.push(event),
      },
    );
    try {
      await supervisor.start();
      const limits = supervisor.limits!;
      expect(await post(port, '/grow')).toBe(200);
      const count = counter(recorded);
      await until(() => count('ready') === 2, 'ready again after the OOM kill');
      expect(limits.oomKills()).toBe(1);
      const fate = await supervisor.stop();
      expect(kinds(fate)).toEqual([
        'started',
        'ready',
        'exited',
        'oom-killed',
        'restart-scheduled',
        'started',
        'ready',
        'stopped',
      ]);
      expect(fate.events[2].detail).toBe('signal SIGKILL');
      expect(fate.events[3].detail).toBe(`limit ${64 * MiB} bytes (${limits.mechanism})`);
      expect(delays(fate)).toEqual([200]);
      expect(fate).toMatchObject({ memoryLimitBytes: 64 * MiB, oomKills: 1, restarts: 1 });
      expect(fate.limitMechanism).toMatch(/^cgroup v[12]$/);
      expect(fate.peakMemoryBytes).toBeGreaterThan(0.9 * 64 * MiB);
      expect(fate.peakMemoryBytes).toBeLessThanOrEqual(64 * MiB);
      expect(fate.downMs).toBe(fate.events[6].atMs - fate.events[2].atMs);
      expect(fate.downMs).toBeGreaterThanOrEqual(200);
    } finally {
      await cleanup();
    }
  });
});

describe('CompartmentSupervisor options', () => {
  const options: CompartmentSupervisorOptions = {
    name: 'write',
    command: process.execPath,
    port: 8080,
    limits: { memoryBytes: 64 * MiB },
    clock: () => 0,
  };

  test('rejects a cap below the first back-off', () => {
    expect(
      () => new CompartmentSupervisor({ ...options, backoff: { initialMs: 500, capMs: 200 } }),
    ).toThrow(new Error("'backoff.capMs' must be a whole number of at least 500 (got 200)"));
  });

  test('rejects a sampling period under 1 ms', () => {
    expect(() => new CompartmentSupervisor({ ...options, sampleEveryMs: 0.5 })).toThrow(
      new Error("'sampleEveryMs' must be a whole number of at least 1 (got 0.5)"),
    );
  });
});

describe('backoffDelayMs', () => {
  test('doubles from 10 s and holds at 5 min, like CrashLoopBackOff', () => {
    const seconds = [1, 2, 3, 4, 5, 6, 7, 100].map(
      (n) => backoffDelayMs(n, 10_000, 300_000) / 1000,
    );
    expect(seconds).toEqual([10, 20, 40, 80, 160, 300, 300, 300]);
  });

  test('rejects a restart number under 1', () => {
    expect(() => backoffDelayMs(0, 10_000, 300_000)).toThrow(
      new Error("'restart' must be a whole number of at least 1 (got 0)"),
    );
  });
});

describe('downtimeMs', () => {
  const at = (atMs: number, kind: CompartmentEvent['kind']): CompartmentEvent => ({ atMs, kind });

  test('sums each exit to the next ready, not counting the first start', () => {
    const events = [
      at(0, 'started'),
      at(40, 'ready'),
      at(100, 'exited'),
      at(101, 'oom-killed'),
      at(102, 'restart-scheduled'),
      at(300, 'started'),
      at(350, 'exited'),
      at(351, 'restart-scheduled'),
      at(800, 'started'),
      at(900, 'ready'),
      at(1000, 'stopped'),
    ];
    expect(downtimeMs(events, 1000)).toBe(800);
  });

  test('counts up to the end when the process never became ready again', () => {
    const events = [at(0, 'started'), at(40, 'ready'), at(100, 'exited'), at(500, 'stopped')];
    expect(downtimeMs(events, 500)).toBe(400);
  });
});

describe('joiningCommand', () => {
  test('runs the command as it is when there is no group to join', () => {
    expect(joiningCommand([], 'node', ['main.js'])).toEqual({ command: 'node', args: ['main.js'] });
  });

  test('writes the pid into every procs file, then becomes the command with that pid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-joining-'));
    try {
      const files = [join(dir, 'memory procs'), join(dir, 'cpu procs')];
      for (const file of files) writeFileSync(file, '');
      const { command, args } = joiningCommand(files, '/bin/sh', [
        '-c',
        'echo "$$ $0 $1"',
        'x',
        '--',
      ]);
      const run = spawnSync(command, args, { encoding: 'utf8' });
      const [pid, ...rest] = run.stdout.trim().split(' ');
      expect(rest).toEqual(['x', '--']);
      expect(files.map((file) => readFileSync(file, 'utf8'))).toEqual([`${pid}\n`, `${pid}\n`]);
      expect(Number(pid)).toBe(run.pid);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('exits 125 without running the command when it cannot join', () => {
    const { command, args } = joiningCommand(['/nonexistent/cgroup.procs'], '/bin/echo', ['ran']);
    const run = spawnSync(command, args, { encoding: 'utf8' });
    expect(run.status).toBe(125);
    expect(run.stdout).toBe('');
  });
});
