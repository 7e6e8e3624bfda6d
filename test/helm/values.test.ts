import Ajv from 'ajv';
import { parse } from 'yaml';
import { defaultsOf, settingsOf } from '../../src/config/schema';
import { SETTINGS } from '../../src/config/settings';
import { parameterTable, valuesSchema, valuesYaml } from '../../src/helm/values';

function schemaErrors(values: unknown): string[] {
  const validate = new Ajv({ strict: false, allErrors: true }).compile(valuesSchema());
  return validate(values) ? [] : validate.errors!.map((e) => `${e.instancePath} ${e.message}`);
}

describe('values.yaml', () => {
  test('holds every setting with the typed configuration default', () => {
    expect(parse(valuesYaml())).toEqual(defaultsOf(SETTINGS));
  });

  test('documents every setting right above its key with # --', () => {
    const lines = valuesYaml().split('\n');
    for (const { path, setting } of settingsOf(SETTINGS)) {
      const key = path.split('.').pop()!;
      const depth = path.split('.').length - 1;
      const at = lines.findIndex(
        (line, i) =>
          line === `${'  '.repeat(depth)}${key}: ${lines[i].split(': ')[1]}` &&
          lines[i - 1].includes(setting.doc),
      );
      expect({ path, documented: at > 0 && lines[at - 1].trimStart().startsWith('# -- ') }).toEqual(
        { path, documented: true },
      );
    }
  });

  test('starts with the write breaker', () => {
    expect(valuesYaml()).toMatch(
      /^(#.*\n)*\n?# The write compartment.*\npriceWrite:\n  # The circuit breaker.*\n  breaker:\n/,
    );
  });
});

describe('values.schema.json', () => {
  test('accepts the defaults', () => {
    expect(schemaErrors(defaultsOf(SETTINGS))).toEqual([]);
  });

  test.each<[string, unknown, string]>([
    [
      'a zero limit',
      { priceWrite: { breaker: { maxConnections: 0 } } },
      '/priceWrite/breaker/maxConnections must be >= 1',
    ],
    [
      'a limit as text',
      { priceWrite: { breaker: { maxConnections: '20' } } },
      '/priceWrite/breaker/maxConnections must be integer',
    ],
    [
      'an unknown key',
      { priceWrite: { breaker: { colour: 1 } } },
      '/priceWrite/breaker must NOT have additional properties',
    ],
    [
      'a malformed duration',
      { priceWrite: { databaseDelay: '5 seconds' } },
      '/priceWrite/databaseDelay must match pattern "^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$"',
    ],
    [
      'an empty repository',
      { image: { repository: '' } },
      '/image/repository must NOT have fewer than 1 characters',
    ],
  ])('refuses %s', (_, values, message) => {
    expect(schemaErrors(values)).toContain(message);
  });

  test('allows an empty optional digest', () => {
    expect(schemaErrors({ image: { digest: '' } })).toEqual([]);
  });
});

describe('the parameter table', () => {
  test('has one row per setting, with its default', () => {
    const rows = parameterTable().split('\n').slice(2);
    expect(rows).toHaveLength(settingsOf(SETTINGS).length);
    expect(rows[1]).toBe(
      '| `priceWrite.breaker.maxConnections` | int | `20` | Most concurrent connections (App Mesh, Istio) or requests in service (in connections, at least 1) |',
    );
  });
});
