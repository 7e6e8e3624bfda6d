import {
  DURATION_RULE,
  parseDuration,
  parseQuantity,
  QUANTITY_PATTERN,
  QUANTITY_RULE,
} from './units';

/**
 * The building blocks of the settings definition. A setting is declared once, with its
 * type, unit, default, bounds and documentation; the config type, its validation, the Helm
 * values, their JSON schema and the parameter tables are all derived from that declaration.
 */

/** What kind of value a setting holds; decides its validation and its JSON-schema type. */
export type SettingKind =
  'integer' | 'boolean' | 'string' | 'name' | 'path' | 'duration' | 'quantity' | 'choice';

/** One setting: a leaf of the settings tree. */
export interface Setting<T> {
  readonly kind: SettingKind;
  /** The value used when none is given. */
  readonly default: T;
  /** What the setting does, for values.yaml and the parameter tables. */
  readonly doc: string;
  /** The unit of a number, e.g. `connections`, `seconds`. */
  readonly unit?: string;
  /** Smallest allowed integer. */
  readonly min?: number;
  /** Largest allowed integer. */
  readonly max?: number;
  /** Allowed values of a `choice`. */
  readonly choices?: readonly string[];
  /** Whether an empty string means "not set" (only for text kinds). */
  readonly optional?: boolean;
  /** A JSON-schema compatible pattern a text must match. */
  readonly pattern?: string;
  /** The rule behind `pattern`, worded for an error message ("must be ..."). */
  readonly rule?: string;
}

/** A named group of settings, documented as a whole. */
export interface Group<C extends Children = Children> {
  readonly doc: string;
  readonly children: C;
}

/** The members of a group, in the order they appear in values.yaml. */
export type Children = { readonly [key: string]: Setting<unknown> | Group };

/** The plain configuration object described by a settings tree. */
export type ConfigOf<N> =
  N extends Setting<infer T>
    ? T
    : N extends Group<infer C>
      ? { readonly [K in keyof C]: ConfigOf<C[K]> }
      : never;

/** Options common to every setting. */
interface Common<T> {
  readonly default: T;
  readonly doc: string;
}

/** Declares a group of settings. */
export function group<C extends Children>(doc: string, children: C): Group<C> {
  return { doc, children };
}

/** An integer setting with bounds and a unit. */
export function integer(
  options: Common<number> & { readonly unit: string; readonly min: number; readonly max?: number },
): Setting<number> {
  return { kind: 'integer', ...options };
}

/** An on/off switch. */
export function flag(options: Common<boolean>): Setting<boolean> {
  return { kind: 'boolean', ...options };
}

/** Free text with an optional pattern; empty only when `optional`. */
export function text(
  options: Common<string> & {
    readonly pattern?: string;
    readonly rule?: string;
    readonly optional?: boolean;
  },
): Setting<string> {
  return { kind: 'string', ...options };
}

/** A DNS-1123 label: the shape of Kubernetes object names and namespaces. */
export function name(options: Common<string>): Setting<string> {
  return {
    kind: 'name',
    pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$',
    rule: 'must be a lowercase DNS label (a-z, 0-9 and -, at most 63 characters)',
    ...options,
  };
}

/** An absolute URL path prefix such as `/price`. */
export function path(options: Common<string>): Setting<string> {
  return {
    kind: 'path',
    pattern: '^/[A-Za-z0-9._~/-]*$',
    rule: "must be an absolute path such as '/price'",
    ...options,
  };
}

/** A Go-style duration (`5s`, `250ms`, `1m30s`). */
export function duration(options: Common<string>): Setting<string> {
  return {
    kind: 'duration',
    pattern: '^(0|([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$',
    rule: DURATION_RULE,
    ...options,
  };
}

/** A Kubernetes quantity (`128Mi`, `500m`). */
export function quantity(options: Common<string>): Setting<string> {
  return { kind: 'quantity', pattern: QUANTITY_PATTERN, rule: QUANTITY_RULE, ...options };
}

/** One of a fixed list of strings. */
export function choice<const T extends string>(
  options: Common<NoInfer<T>> & { readonly choices: readonly T[] },
): Setting<T> {
  return { kind: 'choice', ...options };
}

/** True when `node` is a setting rather than a group. */
export function isSetting(node: Setting<unknown> | Group): node is Setting<unknown> {
  return 'kind' in node;
}

/** A setting together with its dotted path, e.g. `priceWrite.breaker.maxConnections`. */
export interface SettingAt {
  readonly path: string;
  readonly setting: Setting<unknown>;
}

/** Every setting of a tree, depth first, in declaration order. */
export function settingsOf(root: Group, prefix = ''): SettingAt[] {
  return Object.entries(root.children).flatMap(([key, node]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return isSetting(node) ? [{ path, setting: node }] : settingsOf(node, path);
  });
}

/** The configuration made of every setting's default. */
export function defaultsOf<G extends Group>(root: G): ConfigOf<G> {
  return mapSettings(root, (setting) => setting.default) as ConfigOf<G>;
}

/** Builds an object of the tree's shape with `leaf` applied to every setting. */
export function mapSettings(
  root: Group,
  leaf: (setting: Setting<unknown>, path: string) => unknown,
  prefix = '',
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(root.children)) {
    const path = prefix ? `${prefix}.${key}` : key;
    result[key] = isSetting(node) ? leaf(node, path) : mapSettings(node, leaf, path);
  }
  return result;
}

/**
 * Why `value` is not acceptable for `setting`, worded as the rest of a sentence that
 * starts with the setting's name, or undefined when it is fine.
 */
export function problemWith(setting: Setting<unknown>, value: unknown): string | undefined {
  switch (setting.kind) {
    case 'integer':
      return integerProblem(setting, value);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false (got ${show(value)})`;
    case 'choice':
      return setting.choices!.includes(value as string)
        ? undefined
        : `must be one of ${setting.choices!.map((c) => `'${c}'`).join(', ')} (got ${show(value)})`;
    default:
      return textProblem(setting, value);
  }
}

function integerProblem(setting: Setting<unknown>, value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return `must be a whole number of ${setting.unit} (got ${show(value)})`;
  }
  if (value < setting.min!) return `must be at least ${setting.min} (got ${value})`;
  if (setting.max !== undefined && value > setting.max) {
    return `must be at most ${setting.max} (got ${value})`;
  }
  return undefined;
}

function textProblem(setting: Setting<unknown>, value: unknown): string | undefined {
  if (typeof value !== 'string') return `must be a string (got ${show(value)})`;
  if (value === '') return setting.optional ? undefined : 'must not be empty';
  if (setting.kind === 'name' && value.length > 63) {
    return `${setting.rule} (got '${value}', ${value.length} characters)`;
  }
  const wellFormed =
    setting.kind === 'duration'
      ? parseDuration(value) !== undefined
      : setting.kind === 'quantity'
        ? parseQuantity(value) !== undefined
        : setting.pattern === undefined || new RegExp(setting.pattern).test(value);
  return wellFormed ? undefined : `${setting.rule} (got '${value}')`;
}

/** A value as it appears in an error message: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}
