import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LabRun } from '../../src/lab/records';
import { resultsTableMarkdown } from '../../src/lab/report';
import { picturePath, README_COMMAND, withLabResults } from '../../src/lab/readme';
import { README_SCENARIOS } from '../../src/lab/scenarios';

const ROOT = join(__dirname, '..', '..');

function fate(name: string) {
  return {
    name,
    memoryLimitBytes: 128 * 2 ** 20,
    limitMechanism: 'cgroup v1',
    peakMemoryBytes: 30 * 2 ** 20,
    oomKills: 0,
    restarts: 0,
    downMs: 0,
    events: [],
    memory: [],
  };
}

function run(scenario: string): LabRun {
  return {
    plan: {
      scenario,
      writeRate: 20,
      readRate: 50,
      idleMs: 1000,
      attackMs: 1000,
      writeDelayMs: 5000,
      writeBreaker: { maxConnections: 20, maxPendingRequests: 5 },
    },
    startedAt: '2026-12-03T17:00:00.000Z',
    requests: [
      { endpoint: 'read', phase: 'idle', scheduledMs: 0, sentMs: 0, latencyMs: 2, status: 200 },
      {
        endpoint: 'read',
        phase: 'attack',
        scheduledMs: 1000,
        sentMs: 1000,
        latencyMs: 2,
        status: 200,
      },
      {
        endpoint: 'write',
        phase: 'attack',
        scheduledMs: 1000,
        sentMs: 1000,
        latencyMs: 1,
        status: 503,
      },
    ],
    write: fate('price-write'),
    read: fate('price-read'),
  };
}

const MACHINE = { cores: 2, memoryGiB: 24, date: '2026-12-03' };

describe('withLabResults', () => {
  test('puts the table, the machine, the pictures and the command between the markers', () => {
    const readme = 'intro\n<!-- lab:start (generated) -->\nold\n<!-- lab:end -->\nafter\n';
    const runs = [run('no-breaker'), run('breaker')];

    expect(withLabResults(readme, runs, MACHINE)).toBe(
      'intro\n<!-- lab:start (generated) -->\n' +
        `Measured by \`${README_COMMAND}\` on 2026-12-03: 2 cores, 24 GiB, ` +
        'memory limit by cgroup v1.\n\n' +
        `${resultsTableMarkdown(runs)}\n\n` +
        '![no-breaker: latency and status over time](docs/lab/no-breaker.svg)\n\n' +
        '![breaker: latency and status over time](docs/lab/breaker.svg)\n\n' +
        '<!-- lab:end -->\nafter\n',
    );
  });

  test('rejects a README without the markers', () => {
    expect(() => withLabResults('no markers', [run('breaker')], MACHINE)).toThrow(
      "README.md must hold '<!-- lab:start ... -->' and '<!-- lab:end -->' markers",
    );
  });
});

describe('the README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('<!-- lab:start'),
    readme.indexOf('<!-- lab:end -->'),
  );

  test('shows the results of the full scenarios, with the command that reproduces them', () => {
    expect(section).toContain(`Measured by \`${README_COMMAND}\``);
    for (const scenario of README_SCENARIOS)
      expect(section).toMatch(new RegExp(`^\\| ${scenario} \\|`, 'm'));
  });

  test.each(README_SCENARIOS)('shows the %s timeline picture, which is committed', (scenario) => {
    const path = picturePath(run(scenario));
    expect(section).toContain(`](${path})`);
    expect(existsSync(join(ROOT, path))).toBe(true);
    expect(readFileSync(join(ROOT, path), 'utf8')).toMatch(/^<svg /);
  });
});
