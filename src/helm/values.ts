import { Group, isSetting, Setting, settingsOf } from '../config/schema';
import { SETTINGS } from '../config/settings';
import { stringify } from 'yaml';

/**
 * The chart's values.yaml, values.schema.json and parameter table, all derived from the
 * settings definition: a setting's doc, type, unit, default and bounds are written once.
 */

/** values.yaml: every setting with its default, documented in helm-docs' `# --` grammar. */
export function valuesYaml(): string {
  const header = [
    '# Values of the bulkhead chart. Generated from src/config/settings.ts by `npx projen synth`:',
    '# change the settings definition there, not this file. The parameter table in README.md',
    '# and values.schema.json come from the same definition.',
    '',
  ];
  return [...header, ...groupLines(SETTINGS, 0)].join('\n') + '\n';
}

function groupLines(group: Group, depth: number): string[] {
  const indent = '  '.repeat(depth);
  return Object.entries(group.children).flatMap(([key, node], index) => {
    const gap = depth === 0 && index > 0 ? [''] : [];
    if (isSetting(node)) {
      return [
        ...gap,
        `${indent}# -- ${describe(node)}`,
        `${indent}${key}: ${scalar(node.default)}`,
      ];
    }
    return [...gap, `${indent}# ${node.doc}`, `${indent}${key}:`, ...groupLines(node, depth + 1)];
  });
}

/** A setting's documentation with its unit and bounds, as one line. */
export function describe(setting: Setting<unknown>): string {
  const bounds: string[] = [];
  if (setting.unit) bounds.push(`in ${setting.unit}`);
  if (setting.min !== undefined) bounds.push(`at least ${setting.min}`);
  if (setting.max !== undefined) bounds.push(`at most ${setting.max}`);
  if (setting.choices) bounds.push(`one of ${setting.choices.join(', ')}`);
  return bounds.length > 0 ? `${setting.doc} (${bounds.join(', ')})` : setting.doc;
}

function scalar(value: unknown): string {
  return stringify(value).trimEnd();
}

/** values.schema.json: the JSON schema Helm checks values against before rendering. */
export function valuesSchema(): Record<string, unknown> {
  const root = groupSchema(SETTINGS);
  // Helm passes `global` to every chart, including a chart used as a dependency.
  (root.properties as Record<string, unknown>).global = { type: 'object' };
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: 'bulkhead values', ...root };
}

function groupSchema(group: Group): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, node] of Object.entries(group.children)) {
    properties[key] = isSetting(node) ? settingSchema(node) : groupSchema(node);
  }
  return { type: 'object', description: group.doc, additionalProperties: false, properties };
}

function settingSchema(setting: Setting<unknown>): Record<string, unknown> {
  const common = { description: describe(setting), default: setting.default };
  switch (setting.kind) {
    case 'integer':
      return {
        ...common,
        type: 'integer',
        minimum: setting.min,
        ...(setting.max !== undefined && { maximum: setting.max }),
      };
    case 'boolean':
      return { ...common, type: 'boolean' };
    case 'choice':
      return { ...common, type: 'string', enum: setting.choices };
    default: {
      const pattern = setting.optional ? `^$|${setting.pattern}` : setting.pattern;
      return {
        ...common,
        type: 'string',
        ...(!setting.optional && { minLength: 1 }),
        ...(pattern && { pattern }),
      };
    }
  }
}

/** The parameter table of the chart's README, one row per setting. */
export function parameterTable(): string {
  const rows = settingsOf(SETTINGS).map(({ path, setting }) => {
    const type =
      setting.kind === 'integer' ? 'int' : setting.kind === 'boolean' ? 'bool' : 'string';
    const value = `\`${JSON.stringify(setting.default)}\``;
    return `| \`${path}\` | ${type} | ${value} | ${describe(setting).replace(/\|/g, '\\|')} |`;
  });
  return [
    '| Key | Type | Default | Description |',
    '|-----|------|---------|-------------|',
    ...rows,
  ].join('\n');
}
