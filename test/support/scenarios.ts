import { CI_SCENARIOS } from '../../src/helm/scenarios';

/** The settings scenarios the contract tests check: the defaults and the chart's ci/ ones. */
export const SCENARIOS: Record<string, unknown> = { defaults: {}, ...CI_SCENARIOS };
