import { App, ApiObject, Chart } from 'cdk8s';
import { guard, isOn, placeholder } from '../../src/config/conditions';
import { placeholderSettings } from '../../src/helm/placeholders';
import { objectTemplate } from '../../src/helm/template';

function object(spec: Record<string, unknown>): ApiObject {
  return new ApiObject(new Chart(new App(), 'c'), 'o', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'x', keep: 'me' } },
    data: spec,
  });
}

describe('objectTemplate', () => {
  test('renders integers through int, text quoted, and mixed text as one quoted string', () => {
    const text = objectTemplate(
      object({
        a: placeholder('priceWrite.breaker.maxConnections'),
        b: placeholder('priceWrite.databaseDelay'),
        c: `${placeholder('priceWrite.terminationGracePeriodSeconds')}s`,
      }),
    );
    expect(text).toContain('  a: {{ int .Values.priceWrite.breaker.maxConnections }}\n');
    expect(text).toContain('  b: {{ .Values.priceWrite.databaseDelay | quote }}\n');
    expect(text).toContain('  c: "{{ int .Values.priceWrite.terminationGracePeriodSeconds }}s"\n');
  });

  test("replaces the object's own standard labels with the chart's", () => {
    const text = objectTemplate(object({}));
    expect(text).toContain(
      '  labels:\n    keep: me\n    {{- include "bulkhead.labels" . | nindent 4 }}\n',
    );
    expect(text).not.toContain('app.kubernetes.io/name');
  });

  test('guards a block with if, placed last in its mapping', () => {
    const o = object({ first: 'a', pool: { max: 1 }, zlast: 'z' });
    guard(o, '/data/pool', isOn(placeholder('priceWrite.breaker.enabled') as unknown as boolean));
    expect(objectTemplate(o)).toContain(
      'data:\n  first: a\n  zlast: z\n  {{- if .Values.priceWrite.breaker.enabled }}\n  pool:\n    max: 1\n  {{- end }}\n',
    );
  });

  test('guards the whole object', () => {
    const o = object({});
    guard(o, '', isOn(placeholder('loadTester.enabled') as unknown as boolean));
    expect(objectTemplate(o)).toMatch(
      /^\{\{- if \.Values\.loadTester\.enabled \}\}\napiVersion: v1\n[\s\S]*\{\{- end \}\}\n$/,
    );
  });
});

describe('placeholderSettings', () => {
  test('stands every setting for its value, but keeps the provider', () => {
    const s = placeholderSettings('appmesh');
    expect(s.priceWrite.breaker.maxConnections).toBe(
      '{{ .Values.priceWrite.breaker.maxConnections }}',
    );
    expect(s.mesh.provider).toBe('appmesh');
  });
});
