import { ApiObject } from 'cdk8s';
import { stringify } from 'yaml';
import { Guard, guardsOf, valuesReference } from '../config/conditions';
import { settingsOf, SettingKind } from '../config/schema';
import { SETTINGS } from '../config/settings';

/**
 * Turns one rendered API object into the text of a Helm template: placeholders become
 * template expressions (numbers as numbers, text quoted), guarded blocks are wrapped in
 * `{{- if ... }}`, and the release's standard labels are added from `_helpers.tpl`.
 */

/** Labels that the chart's `bulkhead.labels` helper sets on every object. */
export const HELM_LABELS = [
  'helm.sh/chart',
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/managed-by',
];

const KINDS: Map<string, SettingKind> = new Map(
  settingsOf(SETTINGS).map(({ path, setting }) => [`.Values.${path}`, setting.kind]),
);

const LABELS_TOKEN = '__HELM_LABELS__';

/** The template text of `object`. */
export function objectTemplate(object: ApiObject): string {
  const json = object.toJson() as Record<string, unknown>;
  const tokens = new Tokens();
  const blocks = moveGuardedBlocks(json, guardsOf(object), tokens);
  addHelmLabels(json);
  let text = tokens.yaml(json, 0);
  for (const block of blocks) text = expandBlock(text, block, tokens);
  text = text.replace(
    new RegExp(`^( *)${LABELS_TOKEN}: ""$`, 'm'),
    (_, indent: string) => `${indent}{{- include "bulkhead.labels" . | nindent ${indent.length} }}`,
  );
  const whole = guardsOf(object).find((g) => g.pointer === '');
  return whole ? `{{- if ${whole.template} }}\n${text}{{- end }}\n` : text;
}

/** Placeholders and template snippets, swapped for plain tokens while YAML is written. */
class Tokens {
  private readonly snippets: string[] = [];

  /** YAML text of `value`, indented by `indent`, with every template in place. */
  yaml(value: unknown, indent: number): string {
    const text = stringify(this.tokenize(value), { lineWidth: 0, indent: 2 });
    const indented = text.replace(/^(?=.)/gm, ' '.repeat(indent));
    return indented.replace(/"?__HELM_(\d+)__"?/g, (_, i: string) => this.snippets[Number(i)]);
  }

  /** A token that stands for `snippet` in the YAML text. */
  token(snippet: string): string {
    this.snippets.push(snippet);
    return `__HELM_${this.snippets.length - 1}__`;
  }

  private tokenize(value: unknown): unknown {
    if (typeof value === 'string')
      return value.includes('{{') ? this.token(scalarTemplate(value)) : value;
    if (Array.isArray(value)) return value.map((v) => this.tokenize(v));
    if (value && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k.includes('{{') ? this.token(k) : k,
          this.tokenize(v),
        ]),
      );
    }
    return value;
  }
}

/** The template of a scalar that holds one or more placeholders. */
function scalarTemplate(value: string): string {
  const ref = valuesReference(value);
  if (ref) {
    switch (KINDS.get(ref)) {
      case 'integer':
        return `{{ int ${ref} }}`;
      case 'boolean':
        return `{{ ${ref} }}`;
      default:
        return `{{ ${ref} | quote }}`;
    }
  }
  // Text around the placeholders: a quoted string. Values are checked by the schema to
  // hold no quotes or backslashes, so only the literal parts need escaping.
  const parts = value.split(/(\{\{.*?\}\})/);
  const body = parts
    .map((part) =>
      part.startsWith('{{') ? inlineTemplate(part) : JSON.stringify(part).slice(1, -1),
    )
    .join('');
  return `"${body}"`;
}

/** A placeholder inside text; integers go through `int` so that 1000000 is not 1e+06. */
function inlineTemplate(part: string): string {
  const ref = valuesReference(part);
  return ref && KINDS.get(ref) === 'integer' ? `{{ int ${ref} }}` : part;
}

interface Block {
  readonly id: string;
  readonly template: string;
  readonly key: string;
  readonly value: unknown;
}

/**
 * Takes each guarded block out of `json`, leaving a token in its place, and moves it
 * last in its mapping so that it never starts a list item.
 */
function moveGuardedBlocks(
  json: Record<string, unknown>,
  guards: Guard[],
  tokens: Tokens,
): Block[] {
  return guards
    .filter((g) => g.pointer !== '')
    .flatMap((g, index) => {
      const keys = g.pointer.split('/').slice(1);
      const key = keys.pop()!;
      const parent = keys.reduce<any>((node, k) => node?.[k], json);
      if (!parent || !(key in parent)) return [];
      const value = parent[key];
      delete parent[key];
      const id = `__BLOCK${index}__`;
      parent[tokens.token(id)] = '';
      return [{ id, template: g.template, key, value }];
    });
}

/** Puts a guarded block back in place of its marker line, inside `{{- if }}`. */
function expandBlock(text: string, block: Block, tokens: Tokens): string {
  const marker = new RegExp(`^( *)${block.id}: ""$`, 'm');
  return text.replace(marker, (_, indent: string) => {
    const body = tokens.yaml({ [block.key]: block.value }, indent.length).trimEnd();
    return `${indent}{{- if ${block.template} }}\n${body}\n${indent}{{- end }}`;
  });
}

function addHelmLabels(json: Record<string, unknown>): void {
  const metadata = json.metadata as Record<string, any>;
  const labels: Record<string, string> = { ...(metadata.labels ?? {}) };
  for (const key of HELM_LABELS) delete labels[key];
  labels[LABELS_TOKEN] = '';
  metadata.labels = labels;
}
