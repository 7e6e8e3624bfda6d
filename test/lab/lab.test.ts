import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../src/config/load';
import { parseDuration } from '../../src/config/units';
import { runLab } from '../../src/lab/lab';
import { LabRun } from '../../src/lab/records';
import {
  rejectedMedianMs,
  successfulWritesPerSecond,
  summariesOf,
  verdictOf,
} from '../../src/lab/report';
import { LabScenario, scenarioNamed } from '../../src/lab/scenarios';
import { bundleService } from '../service/support';

// The proof: the quick variants of both walkthrough attacks, with real service
// processes under a real memory cgroup, a real HAProxy and a real open-model load.

/** How long one quick scenario may take: warm-up, idle, attack, drain and stop. */
const SCENARIO_TIMEOUT_MS = 90_000;

let bundle: string;
beforeAll(() => {
  bundle = bundleService();
});

async function run(scenario: LabScenario): Promise<LabRun> {
  const lines: string[] = [];
  const result = await runLab({
    settings: loadSettings(scenario.overrides),
    scenario: scenario.name,
    writeRate: scenario.writeRate,
    readRate: scenario.readRate,
    idleMs: scenario.idleMs,
    attackMs: scenario.attackMs,
    serviceBundle: bundle,
    workDir: mkdtempSync(join(tmpdir(), 'lab-test-')),
    log: (line) => lines.push(line),
  });
  // The proof needs the kernel's limit; without it nothing could be OOM-killed.
  if (result.write.memoryLimitBytes === undefined) {
    throw new Error(
      `the lab needs a memory cgroup to run its proof (got ${result.write.limitMechanism}); ` +
        'run the tests as root on Linux',
    );
  }
  // The figures behind the assertions, for the CI log.
  process.stdout.write(`lab ${scenario.name}: ${verdictOf(result).line}\n`);
  return result;
}

describe('the no-breaker attack (quick)', () => {
  let result: LabRun;
  beforeAll(async () => {
    result = await run(scenarioNamed('no-breaker-quick'));
  }, SCENARIO_TIMEOUT_MS);

  test('gets the write compartment OOM-killed, then restarted with a back-off', () => {
    expect(result.write.oomKills).toBeGreaterThanOrEqual(1);
    expect(result.write.events.map((event) => event.kind)).toContain('oom-killed');
    const delays = result.write.events.flatMap((event) =>
      event.kind === 'restart-scheduled' ? [event.delayMs] : [],
    );
    expect(delays.slice(0, 2)).toEqual([10_000, 20_000].slice(0, delays.length));
    expect(result.write.downMs).toBeGreaterThan(5_000);
  });

  test('collapses write success', () => {
    const { writeAttack } = summariesOf(result);
    expect(writeAttack.requests).toBe(3000);
    expect(writeAttack.successRatio).toBeLessThan(0.1);
  });

  test('keeps every read successful and the read p99 within 1.5× of the idle baseline', () => {
    const { readIdle, readAttack } = summariesOf(result);
    expect([readIdle.successRatio, readAttack.successRatio]).toEqual([1, 1]);
    expect(readAttack.latency!.p99Ms).toBeLessThanOrEqual(1.5 * readIdle.latency!.p99Ms);
    expect(verdictOf(result).readsIsolated).toBe(true);
  });

  test('leaves the read compartment untouched', () => {
    expect([result.read.oomKills, result.read.restarts]).toEqual([0, 0]);
  });
});

describe('the breaker attack (quick)', () => {
  const scenario = scenarioNamed('breaker-quick');
  let result: LabRun;
  beforeAll(async () => {
    result = await run(scenario);
  }, SCENARIO_TIMEOUT_MS);

  test('keeps the write compartment alive: no OOM kill, no restart', () => {
    expect([result.write.oomKills, result.write.restarts, result.write.downMs]).toEqual([0, 0, 0]);
    expect(verdictOf(result).breakerHeld).toBe(true);
  });

  test('serves writes at maxConnections / delay, within 20%', () => {
    const { breaker, databaseDelay } = loadSettings(scenario.overrides).priceWrite;
    const capacity = breaker.maxConnections / (parseDuration(databaseDelay)! / 1000);
    const served = successfulWritesPerSecond(result);
    expect(served).toBeGreaterThanOrEqual(0.8 * capacity);
    expect(served).toBeLessThanOrEqual(1.2 * capacity);
  });

  test('answers the rejected writes fast: 503 with a median under 50 ms', () => {
    const { writeAttack } = summariesOf(result);
    expect(writeAttack.rejected.count).toBeGreaterThan(writeAttack.requests / 2);
    expect(rejectedMedianMs(result)).toBeLessThan(50);
  });

  test('keeps every read successful and the read p99 within 1.5× of the idle baseline', () => {
    const { readIdle, readAttack } = summariesOf(result);
    expect([readIdle.successRatio, readAttack.successRatio]).toEqual([1, 1]);
    expect(verdictOf(result).readsIsolated).toBe(true);
  });
});
