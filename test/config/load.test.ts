import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, loadSettingsFile, SettingsError } from '../../src/config/load';
import { defaultsOf, settingsOf } from '../../src/config/schema';
import { SETTINGS } from '../../src/config/settings';

function problemsOf(overrides: unknown): readonly string[] {
  try {
    loadSettings(overrides);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  throw new Error('expected the settings to be refused');
}

describe('loadSettings', () => {
  test('returns every default when nothing is overridden', () => {
    expect(loadSettings()).toEqual(defaultsOf(SETTINGS));
  });

  test('keeps the defaults of the original walkthrough', () => {
    const s = loadSettings();
    expect(s.priceWrite.breaker).toEqual({
      enabled: true,
      maxConnections: 20,
      maxPendingRequests: 5,
      maxParallelRequests: 20,
    });
    expect(s.priceRead.breaker).toMatchObject({
      enabled: true,
      maxConnections: 100,
      maxPendingRequests: 100,
    });
    expect(s.priceWrite.databaseDelay).toBe('5s');
    expect(s.namespace.name).toBe('bulkhead-pattern');
    expect(s.loadTester.image).toBe('peterevans/vegeta:6.9.1');
  });

  test('applies overrides and keeps the other defaults', () => {
    const s = loadSettings({
      priceWrite: { breaker: { maxConnections: 1, maxPendingRequests: 1 } },
    });
    expect(s.priceWrite.breaker.maxConnections).toBe(1);
    expect(s.priceWrite.breaker.maxPendingRequests).toBe(1);
    expect(s.priceWrite.breaker.enabled).toBe(true);
    expect(s.priceRead.breaker.maxConnections).toBe(100);
  });

  test('treats null as "use the default", as Helm does', () => {
    expect(loadSettings({ priceWrite: { replicas: null } }).priceWrite.replicas).toBe(1);
  });

  test.each<[string, unknown, string]>([
    [
      'a zero breaker limit',
      { priceWrite: { breaker: { maxConnections: 0 } } },
      "'priceWrite.breaker.maxConnections' must be at least 1 (got 0)",
    ],
    [
      'a number given as text',
      { priceWrite: { breaker: { maxConnections: '20' } } },
      "'priceWrite.breaker.maxConnections' must be a whole number of connections (got '20')",
    ],
    [
      'a fraction',
      { priceRead: { breaker: { maxPendingRequests: 2.5 } } },
      "'priceRead.breaker.maxPendingRequests' must be a whole number of requests (got 2.5)",
    ],
    [
      'negative replicas',
      { priceRead: { replicas: -1 } },
      "'priceRead.replicas' must be at least 0 (got -1)",
    ],
    [
      'a percent above 100',
      { priceWrite: { outlierDetection: { maxEjectionPercent: 101 } } },
      "'priceWrite.outlierDetection.maxEjectionPercent' must be at most 100 (got 101)",
    ],
    [
      'a switch given as text',
      { loadTester: { enabled: 'yes' } },
      "'loadTester.enabled' must be true or false (got 'yes')",
    ],
    [
      'a malformed duration',
      { priceWrite: { databaseDelay: '5 seconds' } },
      "'priceWrite.databaseDelay' must be a duration such as '250ms', '5s' or '1m30s' (got '5 seconds')",
    ],
    [
      'a malformed quantity',
      { priceWrite: { resources: { limits: { memory: '128MB' } } } },
      "'priceWrite.resources.limits.memory' must be a Kubernetes quantity such as '128Mi', '1Gi' or '500m' (got '128MB')",
    ],
    [
      'an empty image repository',
      { image: { repository: '' } },
      "'image.repository' must not be empty",
    ],
    [
      'an unknown provider',
      { mesh: { provider: 'linkerd' } },
      expect.stringMatching(
        /^'mesh\.provider' must be one of 'appmesh'.* \(got 'linkerd'\)$/,
      ) as unknown as string,
    ],
    [
      'a name that is no DNS label',
      { namespace: { name: 'Bulkhead_Pattern' } },
      "'namespace.name' must be a lowercase DNS label (a-z, 0-9 and -, at most 63 characters) (got 'Bulkhead_Pattern')",
    ],
    [
      'a malformed digest',
      { image: { digest: 'sha256:abc' } },
      "'image.digest' must be 'sha256:' followed by 64 hex digits (got 'sha256:abc')",
    ],
    [
      'an unpinned vegeta image',
      { loadTester: { image: 'peterevans/vegeta' } },
      "'loadTester.image' must be a pinned image reference (repository:tag or repository@sha256:digest) (got 'peterevans/vegeta')",
    ],
  ])('rejects %s', (_, overrides, message) => {
    expect(problemsOf(overrides)).toEqual([message]);
  });

  test('rejects an unknown key and suggests the setting it resembles', () => {
    expect(problemsOf({ priceWrite: { breaker: { maxConection: 3 } } })).toEqual([
      "'priceWrite.breaker.maxConection' is not a setting; did you mean 'maxConnections'?",
    ]);
  });

  test('rejects an unknown key without a suggestion when nothing resembles it', () => {
    expect(problemsOf({ colour: 'blue' })).toEqual(["'colour' is not a setting"]);
  });

  test('rejects a scalar where a group of settings belongs', () => {
    expect(problemsOf({ priceWrite: { breaker: 20 } })).toEqual([
      "'priceWrite.breaker' must be a mapping of settings (got number)",
    ]);
  });

  test('reports every problem at once, one per line', () => {
    const problems = problemsOf({ priceWrite: { replicas: -2, breaker: { maxConnections: 0 } } });
    expect(problems).toEqual([
      "'priceWrite.breaker.maxConnections' must be at least 1 (got 0)",
      "'priceWrite.replicas' must be at least 0 (got -2)",
    ]);
    expect(() =>
      loadSettings({ priceWrite: { replicas: -2, breaker: { maxConnections: 0 } } }),
    ).toThrow(problems.join('\n'));
  });

  test('rejects a grace period that does not outlast the write delay', () => {
    expect(problemsOf({ priceWrite: { databaseDelay: '45s' } })).toEqual([
      "'priceWrite.terminationGracePeriodSeconds' must be longer than 'priceWrite.databaseDelay' so that in-flight writes finish (got 30 s, delay 45s)",
    ]);
  });

  test('rejects a memory request above the limit', () => {
    expect(problemsOf({ priceRead: { resources: { requests: { memory: '1Gi' } } } })).toEqual([
      "'priceRead.resources.requests.memory' must not exceed 'priceRead.resources.limits.memory' (got 1Gi > 128Mi)",
    ]);
  });
});

describe('loadSettingsFile', () => {
  function file(text: string): string {
    const path = join(mkdtempSync(join(tmpdir(), 'bulkhead-settings-')), 'values.yaml');
    writeFileSync(path, text);
    return path;
  }

  test('reads overrides from a YAML values file', () => {
    const s = loadSettingsFile(file('priceWrite:\n  breaker:\n    enabled: false\n'));
    expect(s.priceWrite.breaker.enabled).toBe(false);
  });

  test('names the file when it is not YAML', () => {
    const path = file('priceWrite: [unclosed\n');
    expect(() => loadSettingsFile(path)).toThrow(
      new RegExp(`^'${path}' is not a readable YAML file: `),
    );
  });
});

describe('the settings definition', () => {
  test('documents every setting, with a unit for every number', () => {
    for (const { path, setting } of settingsOf(SETTINGS)) {
      expect({ path, doc: setting.doc.length > 10 }).toEqual({ path, doc: true });
      if (setting.kind === 'integer')
        expect({ path, unit: typeof setting.unit }).toEqual({ path, unit: 'string' });
    }
  });

  test('puts the breaker limits first', () => {
    expect(
      settingsOf(SETTINGS)
        .slice(0, 4)
        .map((s) => s.path),
    ).toEqual([
      'priceWrite.breaker.enabled',
      'priceWrite.breaker.maxConnections',
      'priceWrite.breaker.maxPendingRequests',
      'priceWrite.breaker.maxParallelRequests',
    ]);
  });
});
