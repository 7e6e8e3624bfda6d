/**
 * The lab's scenarios: the two attacks of the original walkthrough, and quick variants of
 * both for tests and CI. A quick variant divides the database delay and the durations by the
 * same factor and multiplies the write rate by it, so that the same number of writes piles
 * up in the compartment (rate × delay) and the same story plays out in 40% of the time.
 * The reads and the idle baseline stay as they are.
 */

/** A partial settings tree, as in a Helm values file. */
export type SettingsOverrides = Record<string, unknown>;

/** One experiment: the settings to run the compartments with and the load to send. */
export interface LabScenario {
  /** The scenario's name, used for its output folder. */
  readonly name: string;

  /** What the scenario shows, in one sentence. */
  readonly summary: string;

  /** Settings that differ from the defaults (a Helm values tree). */
  readonly overrides: SettingsOverrides;

  /** Writes per second during the attack. */
  readonly writeRate: number;

  /** Reads per second, during the idle baseline and the attack. */
  readonly readRate: number;

  /** How long reads run alone before the attack, to measure the idle baseline, in ms. */
  readonly idleMs: number;

  /** How long the write flood lasts, in ms. */
  readonly attackMs: number;
}

/**
 * Reads per second of the probe, far below the read compartment's capacity. With the idle
 * baseline's 20 s it gives 4,000 samples, so that the baseline's p99 rests on its 40 slowest
 * reads. With 250 samples the p99s of two quiet runs differed by up to 2×, and with 1,000 one
 * CI run in about twenty still found a quiet baseline 1.5× below its attack.
 */
const READ_RATE = 200;

/** The idle baseline's length, the same in every scenario so that the baseline is as steady. */
const IDLE_MS = 20_000;

const BREAKER_OFF: SettingsOverrides = { priceWrite: { breaker: { enabled: false } } };

/** The walkthrough's first attack: no breaker, 50 writes/s for 60 s against a 5 s delay. */
const NO_BREAKER: LabScenario = {
  name: 'no-breaker',
  summary: 'no breaker: 50 writes/s pile up in the write compartment until it is OOM-killed',
  overrides: BREAKER_OFF,
  writeRate: 50,
  readRate: READ_RATE,
  idleMs: IDLE_MS,
  attackMs: 60_000,
};

/** The walkthrough's second attack: breaker 20 / 5, 20 writes/s for 35 s, 5 s delay. */
const BREAKER: LabScenario = {
  name: 'breaker',
  summary: 'breaker 20 / 5: excess writes get a fast 503 and the write compartment stays up',
  overrides: {},
  writeRate: 20,
  readRate: READ_RATE,
  idleMs: IDLE_MS,
  attackMs: 35_000,
};

/**
 * How much faster the quick variants run. Not more: each OOM kill disturbs the machine for
 * about half a second (connection resets, a flood of retries and 503s), and at 5× the two
 * kills of a 12 s attack fall on over 1% of its reads, which moves the read p99 by itself.
 */
export const QUICK_FACTOR = 2.5;

/** The walkthrough's 5 s delay, which the quick variants divide. */
const WALKTHROUGH_DELAY_MS = 5000;

/** `scenario`, sped up by `QUICK_FACTOR` with the same pile-up of writes. */
export function quickVariant(scenario: LabScenario): LabScenario {
  const write = (scenario.overrides.priceWrite ?? {}) as SettingsOverrides;
  const writeRate = scenario.writeRate * QUICK_FACTOR;
  const attackMs = scenario.attackMs / QUICK_FACTOR;
  const delayMs = WALKTHROUGH_DELAY_MS / QUICK_FACTOR;
  return {
    ...scenario,
    name: `${scenario.name}-quick`,
    summary:
      `${scenario.name}, ${QUICK_FACTOR}× faster: ${writeRate} writes/s for ` +
      `${attackMs / 1000} s against a ${delayMs} ms delay (the same pile-up of writes)`,
    overrides: {
      ...scenario.overrides,
      priceWrite: { ...write, databaseDelay: `${delayMs}ms` },
    },
    writeRate,
    attackMs,
  };
}

/** Every named scenario, the full ones first. */
export const SCENARIOS: readonly LabScenario[] = [
  NO_BREAKER,
  BREAKER,
  quickVariant(NO_BREAKER),
  quickVariant(BREAKER),
];

/** The scenarios whose results the README shows. */
export const README_SCENARIOS = [NO_BREAKER.name, BREAKER.name];

/**
 * The scenario called `name`.
 * @throws Error listing the scenarios when there is none of that name
 */
export function scenarioNamed(name: string): LabScenario {
  const found = SCENARIOS.find((scenario) => scenario.name === name);
  if (!found) {
    const names = SCENARIOS.map((scenario) => scenario.name).join(', ');
    throw new Error(`'${name}' is not a lab scenario; use one of ${names}`);
  }
  return found;
}
