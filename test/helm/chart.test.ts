import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse } from 'yaml';
import { chartFiles, CHART_VERSION } from '../../src/helm/chart';

const CHARTS = join(__dirname, '..', '..', 'charts');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(CHARTS, path)];
  });
}

describe('charts/', () => {
  test('is what a fresh render gives (run `npx projen synth` if not)', () => {
    const fresh = chartFiles();
    expect(filesUnder(CHARTS).sort()).toEqual([...fresh.keys()].sort());
    for (const [path, text] of fresh)
      expect({ path, text: readFileSync(join(CHARTS, path), 'utf8') }).toEqual({ path, text });
  });

  test('is an apiVersion v2 application chart without CRDs', () => {
    const files = chartFiles();
    const chart = parse(files.get('Chart.yaml')!);
    expect(chart).toMatchObject({
      apiVersion: 'v2',
      name: 'bulkhead',
      type: 'application',
      version: CHART_VERSION,
    });
    expect([...files.keys()].filter((p) => p.startsWith('crds/'))).toEqual([]);
    expect([...files.values()].some((t) => t.includes('CustomResourceDefinition'))).toBe(false);
  });

  test('uses nothing that Argo CD cannot render: no lookup, no hooks', () => {
    for (const [path, text] of chartFiles()) {
      expect({
        path,
        lookup: /\blookup\b/.test(text),
        hook: text.includes('helm.sh/hook'),
      }).toEqual({ path, lookup: false, hook: false });
    }
  });

  test('documents each helper with a one-line comment', () => {
    const helpers = chartFiles().get('templates/_helpers.tpl')!;
    const defines = [...helpers.matchAll(/(.*)\n\{\{- define "([^"]+)"/g)];
    expect(defines.map((m) => m[2])).toEqual([
      'bulkhead.name',
      'bulkhead.chart',
      'bulkhead.labels',
    ]);
    for (const [, comment] of defines) expect(comment).toMatch(/^\{\{\/\* .+ \*\/\}\}$/);
  });

  test('warns in NOTES.txt while the write breaker is off', () => {
    const notes = chartFiles().get('templates/NOTES.txt')!;
    expect(notes).toContain(
      '{{- if not .Values.priceWrite.breaker.enabled }}\n\nWARNING: the write breaker is OFF.',
    );
    expect(notes).toContain('vegeta attack -rate=50/s -duration=60s');
    expect(notes).toContain('--set priceWrite.breaker.enabled=true');
  });
});
