import { loadSettings } from '../../src/config/load';
import { parseDuration } from '../../src/config/units';
import {
  QUICK_FACTOR,
  quickVariant,
  README_SCENARIOS,
  scenarioNamed,
  SCENARIOS,
} from '../../src/lab/scenarios';

function delayMs(overrides: Record<string, unknown>): number {
  return parseDuration(loadSettings(overrides).priceWrite.databaseDelay)!;
}

describe('SCENARIOS', () => {
  test('holds the walkthrough’s first attack: no breaker, 50 writes/s for 60 s, 5 s delay', () => {
    const scenario = scenarioNamed('no-breaker');
    const settings = loadSettings(scenario.overrides);
    expect(settings.priceWrite.breaker.enabled).toBe(false);
    expect([scenario.writeRate, scenario.attackMs, delayMs(scenario.overrides)]).toEqual([
      50, 60_000, 5000,
    ]);
  });

  test('holds the walkthrough’s second attack: breaker 20 / 5, 20 writes/s for 35 s', () => {
    const scenario = scenarioNamed('breaker');
    const { breaker } = loadSettings(scenario.overrides).priceWrite;
    expect([breaker.enabled, breaker.maxConnections, breaker.maxPendingRequests]).toEqual([
      true,
      20,
      5,
    ]);
    expect([scenario.writeRate, scenario.attackMs, delayMs(scenario.overrides)]).toEqual([
      20, 35_000, 5000,
    ]);
  });

  test.each(SCENARIOS.map((scenario) => [scenario.name, scenario]))(
    'gives %s settings that load',
    (_name, scenario) => {
      expect(() => loadSettings(scenario.overrides)).not.toThrow();
    },
  );

  test('names the README’s scenarios among its own', () => {
    expect(README_SCENARIOS.map((name) => scenarioNamed(name).name)).toEqual(README_SCENARIOS);
  });
});

describe('quickVariant', () => {
  test.each(['no-breaker', 'breaker'])('keeps the pile-up of %s and shortens it', (name) => {
    const full = scenarioNamed(name);
    const quick = quickVariant(full);

    expect(quick.name).toBe(`${name}-quick`);
    expect(quick.writeRate * delayMs(quick.overrides)).toBe(
      full.writeRate * delayMs(full.overrides),
    );
    expect(quick.attackMs).toBe(full.attackMs / QUICK_FACTOR);
    expect([quick.readRate, quick.idleMs]).toEqual([full.readRate, full.idleMs]);
  });

  test('keeps the breaker as the full scenario has it', () => {
    const quick = quickVariant(scenarioNamed('no-breaker'));
    expect(loadSettings(quick.overrides).priceWrite.breaker.enabled).toBe(false);
  });
});

describe('scenarioNamed', () => {
  test('rejects an unknown name, listing the scenarios', () => {
    expect(() => scenarioNamed('flood')).toThrow(
      "'flood' is not a lab scenario; use one of no-breaker, breaker, no-breaker-quick, " +
        'breaker-quick',
    );
  });
});
