import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '../../src/config/load';
import { labHelp, LabUsageError, mergeAll, parseLabCommandLine } from '../../src/lab/options';

function valuesFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'lab-values-')), 'values.yaml');
  writeFileSync(file, text);
  return file;
}

function parsed(...argv: string[]) {
  const request = parseLabCommandLine(argv);
  if (!request) throw new Error('expected a request, got help');
  return request;
}

describe('parseLabCommandLine', () => {
  test('takes the scenario as it is when nothing else is given', () => {
    const { scenario, settings, outDir } = parsed('breaker');
    expect([scenario.name, scenario.writeRate, scenario.attackMs, scenario.idleMs]).toEqual([
      'breaker',
      20,
      35_000,
      20_000,
    ]);
    expect(settings.priceWrite.breaker.maxConnections).toBe(20);
    expect(outDir).toBe('lab-results');
  });

  test('drops the -- that projen passes on', () => {
    expect(parsed('--', 'breaker-quick').scenario.name).toBe('breaker-quick');
  });

  test('takes rates and durations from the command line', () => {
    const { scenario } = parsed(
      'breaker',
      '--write-rate',
      '40',
      '--read-rate=25.5',
      '--duration',
      '1m30s',
      '--idle',
      '3s',
      '--out',
      '/tmp/x',
    );
    expect([scenario.writeRate, scenario.readRate, scenario.attackMs, scenario.idleMs]).toEqual([
      40, 25.5, 90_000, 3000,
    ]);
  });

  test('applies the values file over the scenario, and --set over both', () => {
    const file = valuesFile(
      'priceWrite:\n  breaker:\n    maxConnections: 8\n    maxPendingRequests: 2\n' +
        "  databaseDelay: '2s'\n",
    );
    const { settings } = parsed(
      'no-breaker',
      '--values',
      file,
      '--set',
      'priceWrite.breaker.maxPendingRequests=3',
      '--set',
      'priceWrite.resources.limits.memory=256Mi',
    );
    const { breaker, databaseDelay, resources } = settings.priceWrite;
    expect([breaker.enabled, breaker.maxConnections, breaker.maxPendingRequests]).toEqual([
      false,
      8,
      3,
    ]);
    expect([databaseDelay, resources.limits.memory]).toEqual(['2s', '256Mi']);
  });

  test('reads --set values as YAML: numbers, booleans and text', () => {
    const { settings } = parsed('no-breaker', '--set', 'priceWrite.breaker.enabled=true');
    expect(settings.priceWrite.breaker.enabled).toBe(true);
  });

  test('returns nothing for --help, and the help lists scenarios and options', () => {
    expect(parseLabCommandLine(['--help'])).toBeUndefined();
    expect(labHelp()).toContain('  breaker-quick ');
    expect(labHelp()).toContain('  --write-rate <value>   writes per second during the attack');
  });

  test.each([
    [
      [],
      'expected one scenario, one of no-breaker, breaker, no-breaker-quick, breaker-quick (got none)',
    ],
    [
      ['a', 'b'],
      "expected one scenario, one of no-breaker, breaker, no-breaker-quick, breaker-quick (got 'a', 'b')",
    ],
    [
      ['flood'],
      "'flood' is not a lab scenario; use one of no-breaker, breaker, no-breaker-quick, breaker-quick",
    ],
    [
      ['breaker', '--write-rate', '0'],
      "'--write-rate' must be a number of requests per second above 0 and at most 2000 (got '0')",
    ],
    [
      ['breaker', '--read-rate', 'fast'],
      "'--read-rate' must be a number of requests per second above 0 and at most 2000 (got 'fast')",
    ],
    [
      ['breaker', '--duration', '500ms'],
      "'--duration' must be a duration from 1s to 10m such as '35s' or '1m30s' (got '500ms')",
    ],
    [
      ['breaker', '--idle', 'soon'],
      "'--idle' must be a duration from 1s to 10m such as '35s' or '1m30s' (got 'soon')",
    ],
    [
      ['breaker', '--set', 'maxConnections'],
      "'--set' must be a setting path and a value such as priceWrite.breaker.maxConnections=10 (got 'maxConnections')",
    ],
    [['breaker', '--values', '/no/such.yaml'], "'--values' file '/no/such.yaml' does not exist"],
    [['breaker', '--bogus'], "Unknown option '--bogus' (see --help)"],
  ])('rejects %j with a message naming the mistake', (argv, message) => {
    expect(() => parseLabCommandLine(argv)).toThrow(new LabUsageError(message));
  });

  test('rejects bad settings with the settings’ own message', () => {
    expect(() =>
      parseLabCommandLine(['breaker', '--set', 'priceWrite.breaker.maxConnections=0']),
    ).toThrow(
      new SettingsError(["'priceWrite.breaker.maxConnections' must be at least 1 (got 0)"]),
    );
  });

  test('rejects a values file that is not a mapping', () => {
    const file = valuesFile('- one\n- two\n');
    expect(() => parseLabCommandLine(['breaker', '--values', file])).toThrow(
      new SettingsError([`'${file}' must hold a mapping of settings (got a list)`]),
    );
  });
});

describe('mergeAll', () => {
  test('merges mappings key by key, later trees winning', () => {
    expect(mergeAll({ a: { b: 1, c: 2 }, d: 1 }, { a: { c: 3 } }, { d: { e: 1 } })).toEqual({
      a: { b: 1, c: 3 },
      d: { e: 1 },
    });
  });
});
