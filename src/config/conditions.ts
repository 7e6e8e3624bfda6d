import { ApiObject } from 'cdk8s';

/**
 * Decisions taken from settings, such as "is the breaker on?". The constructs render
 * twice from the same code: once with real settings for dist/, where a decision is a
 * plain boolean, and once with placeholders for the Helm chart, where each setting is a
 * reference such as `{{ .Values.priceWrite.breaker.enabled }}`. In the chart a decision
 * cannot be taken at render time, so the block is rendered and guarded by the template
 * condition instead; `src/helm` turns the guard into `{{- if ... }}`.
 */
export interface Condition {
  /** Whether the guarded block is to be rendered. */
  readonly holds: boolean;
  /** The Go-template condition that guards the block in the chart, if any. */
  readonly template?: string;
}

const REFERENCE = /^\{\{ (\.Values\.[A-Za-z0-9_.]+) \}\}$/;

/** The `.Values.x.y` expression a placeholder setting stands for, or undefined. */
export function valuesReference(value: unknown): string | undefined {
  return typeof value === 'string' ? REFERENCE.exec(value)?.[1] : undefined;
}

/** The placeholder that stands for the setting at `path` in the chart. */
export function placeholder(path: string): string {
  return `{{ .Values.${path} }}`;
}

/** Holds when the switch is on. */
export function isOn(flag: boolean): Condition {
  const ref = valuesReference(flag);
  return ref ? { holds: true, template: ref } : { holds: flag };
}

/** Holds when the number is above `floor`. */
export function isAbove(count: number, floor: number): Condition {
  const ref = valuesReference(count);
  return ref ? { holds: true, template: `gt (int ${ref}) ${floor}` } : { holds: count > floor };
}

/** Holds when the optional text is set (not empty). */
export function isSet(value: string): Condition {
  const ref = valuesReference(value);
  return ref ? { holds: true, template: ref } : { holds: value !== '' };
}

/** Holds when both hold. */
export function both(a: Condition, b: Condition): Condition {
  const templates = [a.template, b.template].filter((t) => t !== undefined);
  if (templates.length === 0) return { holds: a.holds && b.holds };
  if (!a.holds || !b.holds) return { holds: false };
  return {
    holds: true,
    template: templates.length === 1 ? templates[0] : `and (${templates.join(') (')})`,
  };
}

/** One of two texts: chosen now, or by a template condition in the chart. */
export function pick(condition: Condition, whenTrue: string, whenFalse: string): string {
  if (condition.template === undefined) return condition.holds ? whenTrue : whenFalse;
  return `{{ if ${condition.template} }}${whenTrue}{{ else }}${whenFalse}{{ end }}`;
}

/** The metadata key under which guards are recorded on an API object's node. */
export const GUARD_METADATA = 'bulkhead/guard';

/** A block of an API object that exists only when a template condition holds. */
export interface Guard {
  /** JSON pointer to the guarded field; empty for the whole object. */
  readonly pointer: string;
  /** The Go-template condition. */
  readonly template: string;
}

/** Records that `pointer` of `object` exists only under `condition` (a no-op for dist/). */
export function guard(object: ApiObject, pointer: string, condition: Condition): void {
  if (condition.template === undefined) return;
  const entry: Guard = { pointer, template: condition.template };
  object.node.addMetadata(GUARD_METADATA, entry);
}

/** The guards recorded on `object`. */
export function guardsOf(object: ApiObject): Guard[] {
  return object.node.metadata.filter((m) => m.type === GUARD_METADATA).map((m) => m.data as Guard);
}
