import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '../../src/config/load';
import { describeFailure, main, planLine, RESULT_FILES, runScenario } from '../../src/lab/cli';
import { GatewayError } from '../../src/lab/gateway';
import { LabUsageError, parseLabCommandLine } from '../../src/lab/options';
import { bundleService } from '../service/support';

function request(...argv: string[]) {
  return parseLabCommandLine(argv)!;
}

/** Runs `main` with stdout and stderr captured. */
async function runMain(argv: string[]) {
  const written = { stdout: '', stderr: '' };
  const spies = (['stdout', 'stderr'] as const).map((stream) =>
    jest.spyOn(process[stream], 'write').mockImplementation((chunk) => {
      written[stream] += String(chunk);
      return true;
    }),
  );
  try {
    return { code: await main(argv), ...written };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
}

describe('planLine', () => {
  test('states the run with the command line’s rates, durations and breaker', () => {
    expect(planLine(request('breaker'))).toBe(
      'breaker: 20 s of 200 reads/s, then 20 writes/s beside them for 35 s ' +
        '(breaker 20 / 5, 5s delay)',
    );
    expect(planLine(request('no-breaker', '--write-rate', '30', '--duration', '5s'))).toBe(
      'no-breaker: 20 s of 200 reads/s, then 30 writes/s beside them for 5 s (breaker off, 5s delay)',
    );
  });
});

describe('describeFailure', () => {
  test('gives the lab’s own errors as they are, anything else with its name', () => {
    expect(describeFailure(new LabUsageError('bad option'))).toBe('bad option');
    expect(describeFailure(new GatewayError('no haproxy'))).toBe('no haproxy');
    expect(describeFailure(new SettingsError(['a', 'b']))).toBe('a\nb');
    expect(describeFailure(new TypeError('x is undefined'))).toBe(
      'unexpected failure: TypeError: x is undefined',
    );
  });
});

describe('main', () => {
  test('prints the help and exits 0', async () => {
    const { code, stdout } = await runMain(['--', '--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^npx projen lab -- <scenario> \[options\]/);
  });

  test('prints one failure line and exits 1 on a bad command line', async () => {
    const { code, stdout, stderr } = await runMain(['breaker', '--idle', '0s']);
    expect([code, stdout]).toEqual([1, '']);
    expect(stderr).toBe(
      "lab: '--idle' must be a duration from 1s to 10m such as '35s' or '1m30s' (got '0s')\n",
    );
  });
});

describe('runScenario', () => {
  test('refuses to run without the service bundle, naming the task that builds it', async () => {
    await expect(runScenario(request('breaker'), () => undefined, '/no/bundle.js')).rejects.toThrow(
      new LabUsageError(
        "the price service bundle '/no/bundle.js' does not exist; build it with " +
          "'npx projen bundle:service' (the 'lab' task does this first)",
      ),
    );
  });

  test('writes the report, every request as JSON and the timeline into the scenario’s folder', async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'lab-out-'));
    const given = request(
      'breaker-quick',
      '--idle',
      '1s',
      '--duration',
      '1s',
      '--read-rate',
      '20',
      '--out',
      outDir,
    );
    const lines: string[] = [];

    const { run, folder } = await runScenario(given, (line) => lines.push(line), bundleService());

    expect(folder).toBe(join(outDir, 'breaker-quick'));
    const json = JSON.parse(readFileSync(join(folder, RESULT_FILES.requests), 'utf8'));
    expect(json.requests).toHaveLength(run.requests.length);
    expect(json.requests.filter((r: { endpoint: string }) => r.endpoint === 'write')).toHaveLength(
      50,
    );
    expect(json.requests.filter((r: { endpoint: string }) => r.endpoint === 'read')).toHaveLength(
      40,
    );
    expect(readFileSync(join(folder, RESULT_FILES.report), 'utf8')).toMatch(
      /^bulkhead lab: scenario breaker-quick/,
    );
    expect(readFileSync(join(folder, RESULT_FILES.timeline), 'utf8')).toMatch(/^<svg /);
    expect(lines).toContainEqual(
      expect.stringMatching(/^price-write: limited to 128Mi memory and 500m CPU by cgroup v[12]/),
    );
  }, 60_000);
});
