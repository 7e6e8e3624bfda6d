import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Group, isSetting, problemWith, Setting } from './schema';
import { Settings, SETTINGS } from './settings';
import { parseDuration, parseQuantity } from './units';

/** Raised when settings are not acceptable; lists every problem, one per line. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'SettingsError';
  }
}

/**
 * The settings: every default, overridden by `overrides` (a partial tree, as in a Helm
 * values file). Throws a SettingsError naming each setting that is unknown or wrong.
 */
export function loadSettings(overrides: unknown = {}): Settings {
  const problems: string[] = [];
  const settings = merge(SETTINGS, overrides, '', problems) as Settings;
  if (problems.length === 0) problems.push(...crossChecks(settings));
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

/** The settings with the overrides of a YAML values file. */
export function loadSettingsFile(file: string): Settings {
  return loadSettings(readValuesFile(file));
}

/**
 * The overrides a YAML values file holds (an empty file holds none), unchecked.
 * @throws SettingsError when the file cannot be read or is not YAML
 */
export function readValuesFile(file: string): unknown {
  try {
    return parse(readFileSync(file, 'utf8')) ?? {};
  } catch (error) {
    throw new SettingsError([`'${file}' is not a readable YAML file: ${(error as Error).message}`]);
  }
}

function merge(node: Group, given: unknown, prefix: string, problems: string[]): unknown {
  if (!isPlainObject(given)) {
    problems.push(`'${prefix || '(root)'}' must be a mapping of settings (got ${typeof given})`);
    return {};
  }
  for (const key of Object.keys(given)) {
    if (!(key in node.children)) problems.push(unknownKey(node, prefix, key));
  }
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(node.children)) {
    const path = prefix ? `${prefix}.${key}` : key;
    result[key] = isSetting(child)
      ? mergeSetting(child, given[key], path, problems)
      : merge(child, given[key] ?? {}, path, problems);
  }
  return result;
}

function mergeSetting(
  setting: Setting<unknown>,
  given: unknown,
  path: string,
  problems: string[],
): unknown {
  if (given === undefined || given === null) return setting.default;
  const problem = problemWith(setting, given);
  if (problem) problems.push(`'${path}' ${problem}`);
  return given;
}

function unknownKey(node: Group, prefix: string, key: string): string {
  const path = prefix ? `${prefix}.${key}` : key;
  const near = Object.keys(node.children).find((known) => similar(known, key));
  const hint = near ? `; did you mean '${near}'?` : '';
  return `'${path}' is not a setting${hint}`;
}

/** Whether two keys differ only in case or by one or two edits. */
function similar(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase() || editDistance(a, b) <= 2;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/** Whether `value` is a mapping (an object that is not a list), as a values tree is. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Rules that tie two settings together. */
function crossChecks(settings: Settings): string[] {
  return (['priceWrite', 'priceRead'] as const).flatMap((key) => {
    const c = settings[key];
    const problems: string[] = [];
    const delaySeconds = parseDuration(c.databaseDelay)! / 1000;
    if (c.terminationGracePeriodSeconds <= delaySeconds) {
      problems.push(
        `'${key}.terminationGracePeriodSeconds' must be longer than '${key}.databaseDelay' ` +
          `so that in-flight writes finish (got ${c.terminationGracePeriodSeconds} s, ` +
          `delay ${c.databaseDelay})`,
      );
    }
    for (const resource of ['cpu', 'memory'] as const) {
      const request = c.resources.requests[resource];
      const limit = c.resources.limits[resource];
      if (parseQuantity(request)! > parseQuantity(limit)!) {
        problems.push(
          `'${key}.resources.requests.${resource}' must not exceed ` +
            `'${key}.resources.limits.${resource}' (got ${request} > ${limit})`,
        );
      }
    }
    return problems;
  });
}
