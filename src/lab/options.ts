import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { isPlainObject, loadSettings, readValuesFile, SettingsError } from '../config/load';
import { Settings } from '../config/settings';
import { parseDuration } from '../config/units';
import { LabScenario, scenarioNamed, SCENARIOS, SettingsOverrides } from './scenarios';

/** A command line the lab cannot run; the message names the option, the value and the rule. */
export class LabUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabUsageError';
  }
}

/** What one lab run is asked to do, read from the command line. */
export interface LabRequest {
  /** The scenario, with the command line's rates and durations in place. */
  readonly scenario: LabScenario;

  /** The settings: defaults, then the scenario's, the values file's and `--set`'s overrides. */
  readonly settings: Settings;

  /** The folder the results go to; each scenario writes into its own subfolder. */
  readonly outDir: string;
}

/** The options of `npx projen lab`, with their help lines. */
export const LAB_OPTIONS = {
  'write-rate': { type: 'string', help: 'writes per second during the attack' },
  'read-rate': { type: 'string', help: 'reads per second, idle and during the attack' },
  duration: { type: 'string', help: "length of the attack, e.g. '35s'" },
  idle: { type: 'string', help: "length of the idle baseline (reads only), e.g. '10s'" },
  values: { type: 'string', help: 'a Helm values file with settings (breaker, delay, limits)' },
  set: {
    type: 'string',
    multiple: true,
    help: 'one setting, e.g. priceWrite.breaker.maxConnections=10',
  },
  out: { type: 'string', help: "results folder (default 'lab-results')" },
  help: { type: 'boolean', help: 'print this help' },
} as const;

/** Most requests per second either stream may send: far beyond what the scenarios need. */
export const MAX_RATE = 2000;

/** The shortest and longest phase, in milliseconds. */
export const PHASE_LIMITS_MS = { min: 1000, max: 600_000 } as const;

/** The help text: the scenarios and the options. */
export function labHelp(): string {
  const scenarios = SCENARIOS.map((s) => `  ${s.name.padEnd(18)} ${s.summary}`);
  const options = Object.entries(LAB_OPTIONS).map(([name, option]) => {
    const flag = option.type === 'string' ? `--${name} <value>` : `--${name}`;
    return `  ${flag.padEnd(22)} ${option.help}`;
  });
  return [
    'npx projen lab -- <scenario> [options]: runs the bulkhead on this machine and measures it',
    '',
    'scenarios:',
    ...scenarios,
    '',
    'options:',
    ...options,
  ].join('\n');
}

/**
 * Reads `npx projen lab -- <scenario> [options]`; undefined when help was asked for.
 * @throws LabUsageError naming the first thing that is wrong
 * @throws SettingsError naming every bad setting
 */
export function parseLabCommandLine(argv: readonly string[]): LabRequest | undefined {
  const args = argv[0] === '--' ? argv.slice(1) : [...argv];
  const { values, positionals } = readArgs(args);
  if (values.help) return undefined;
  if (positionals.length !== 1) {
    const names = SCENARIOS.map((s) => s.name).join(', ');
    const got = positionals.length === 0 ? 'none' : positionals.map((p) => `'${p}'`).join(', ');
    throw new LabUsageError(`expected one scenario, one of ${names} (got ${got})`);
  }
  const base = namedScenario(positionals[0]);
  const overrides = mergeAll(base.overrides, valuesFile(values.values), setOverrides(values.set));
  const scenario: LabScenario = {
    ...base,
    overrides,
    writeRate: rate('--write-rate', values['write-rate']) ?? base.writeRate,
    readRate: rate('--read-rate', values['read-rate']) ?? base.readRate,
    attackMs: phase('--duration', values.duration) ?? base.attackMs,
    idleMs: phase('--idle', values.idle) ?? base.idleMs,
  };
  return { scenario, settings: loadSettings(overrides), outDir: values.out ?? 'lab-results' };
}

function readArgs(args: string[]) {
  try {
    return parseArgs({ args, options: LAB_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    // Node's own words name the option; the hint points at the list of options.
    throw new LabUsageError(`${(err as Error).message.split('. ')[0]} (see --help)`);
  }
}

function namedScenario(name: string): LabScenario {
  try {
    return scenarioNamed(name);
  } catch (err) {
    throw new LabUsageError((err as Error).message);
  }
}

function rate(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!(text.trim() !== '' && value > 0 && value <= MAX_RATE)) {
    throw new LabUsageError(
      `'${option}' must be a number of requests per second above 0 and at most ${MAX_RATE} ` +
        `(got '${text}')`,
    );
  }
  return value;
}

function phase(option: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined || ms < PHASE_LIMITS_MS.min || ms > PHASE_LIMITS_MS.max) {
    throw new LabUsageError(
      `'${option}' must be a duration from 1s to 10m such as '35s' or '1m30s' (got '${text}')`,
    );
  }
  return ms;
}

function valuesFile(file: string | undefined): SettingsOverrides {
  if (file === undefined) return {};
  if (!existsSync(file)) throw new LabUsageError(`'--values' file '${file}' does not exist`);
  const parsed = readValuesFile(file);
  if (!isPlainObject(parsed)) {
    const got = Array.isArray(parsed) ? 'a list' : typeof parsed;
    throw new SettingsError([`'${file}' must hold a mapping of settings (got ${got})`]);
  }
  return parsed;
}

/** `--set a.b.c=value` as a nested tree; the value is read as YAML (`10`, `false`, `'5s'`). */
function setOverrides(assignments: readonly string[] | undefined): SettingsOverrides {
  let tree: SettingsOverrides = {};
  for (const assignment of assignments ?? []) {
    const match = /^([A-Za-z][\w]*(?:\.[A-Za-z][\w]*)*)=(.*)$/s.exec(assignment);
    if (!match) {
      throw new LabUsageError(
        `'--set' must be a setting path and a value such as ` +
          `priceWrite.breaker.maxConnections=10 (got '${assignment}')`,
      );
    }
    const value = match[2] === '' ? '' : parse(match[2]);
    const branch = match[1]
      .split('.')
      .reduceRight<unknown>((child, key) => ({ [key]: child }), value) as SettingsOverrides;
    tree = mergeAll(tree, branch);
  }
  return tree;
}

/** The trees merged left to right: later values win, mappings merge key by key. */
export function mergeAll(...trees: SettingsOverrides[]): SettingsOverrides {
  const merged: SettingsOverrides = {};
  for (const tree of trees) {
    for (const [key, value] of Object.entries(tree)) {
      const before = merged[key];
      merged[key] = isPlainObject(before) && isPlainObject(value) ? mergeAll(before, value) : value;
    }
  }
  return merged;
}
