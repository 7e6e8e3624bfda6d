import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadSettings } from '../../src/config/load';
import { CI_SCENARIOS } from '../../src/helm/scenarios';
import { HELM_LABELS } from '../../src/helm/template';
import { PROVIDERS } from '../../src/mesh';
import { renderObjects } from '../../src/render';
import { appMeshAdmissionProblems } from '../support/appmesh-rules';
import { HELM_VERSIONS, HelmName, runHelm } from '../support/helm';
import { Obj } from '../support/objects';
import { appMeshReferenceProblems, kubernetesReferenceProblems } from '../support/references';
import { allSchemaProblems, sharedCrdsPresent } from '../support/schemas';

const CHART = './charts';
const SCENARIO_FILES = Object.keys(CI_SCENARIOS).map((name) =>
  join('charts', 'ci', `${name}-values.yaml`),
);

function template(helm: HelmName, args: string[] = []): Obj[] {
  const run = runHelm(helm, ['template', 'bulkhead', CHART, ...args]);
  if (run.status !== 0) throw new Error(`helm template failed: ${run.stderr}`);
  return parseAllDocuments(run.stdout)
    .map((d) => d.toJS())
    .filter((o) => o);
}

/** The objects with Helm's own labels removed, keyed by kind/namespace/name. */
function comparable(objects: Obj[]): Record<string, Obj> {
  return Object.fromEntries(
    objects.map((o) => {
      // The API server prunes null fields of custom resources: null and absent are the same.
      const c = JSON.parse(JSON.stringify(o, (_, v) => (v === null ? undefined : v)));
      for (const key of HELM_LABELS) delete c.metadata.labels?.[key];
      if (c.metadata.labels && Object.keys(c.metadata.labels).length === 0)
        delete c.metadata.labels;
      return [`${c.kind}/${c.metadata.namespace ?? ''}/${c.metadata.name}`, c];
    }),
  );
}

describe.each(Object.keys(HELM_VERSIONS) as HelmName[])('with %s', (helm) => {
  test('lints the chart strictly with the defaults and every ci/ scenario', () => {
    for (const values of [undefined, ...SCENARIO_FILES]) {
      const run = runHelm(helm, ['lint', '--strict', CHART, ...(values ? ['-f', values] : [])]);
      expect({
        values,
        status: run.status,
        out: run.status === 0 ? '' : run.stdout + run.stderr,
      }).toEqual({ values, status: 0, out: '' });
    }
  });

  describe.each([
    ['defaults', {}, []] as const,
    ...Object.entries(CI_SCENARIOS).map(
      ([n, v]) => [n, v, ['-f', join('charts', 'ci', `${n}-values.yaml`)]] as const,
    ),
  ])('the %s render', (_, overrides, args) => {
    test('equals the cdk8s render of the same settings, Helm labels aside', () => {
      const fromHelm = comparable(template(helm, [...args]));
      const fromCdk8s = comparable(renderObjects(loadSettings(overrides)) as Obj[]);
      expect(Object.keys(fromHelm).sort()).toEqual(Object.keys(fromCdk8s).sort());
      expect(fromHelm).toEqual(fromCdk8s);
    });

    test('passes the schema, admission and cross-reference checks', () => {
      const objects = template(helm, [...args]);
      if (sharedCrdsPresent()) expect(allSchemaProblems(objects)).toEqual([]);
      expect(appMeshAdmissionProblems(objects)).toEqual([]);
      expect([
        ...kubernetesReferenceProblems(objects),
        ...appMeshReferenceProblems(objects),
      ]).toEqual([]);
    });

    test('puts the standard labels on every object', () => {
      for (const o of template(helm, [...args])) {
        expect(Object.keys(o.metadata.labels ?? {})).toEqual(expect.arrayContaining(HELM_LABELS));
        expect(o.metadata.labels['app.kubernetes.io/instance']).toBe('bulkhead');
      }
    });
  });

  describe.each(PROVIDERS.filter((p) => p !== 'appmesh'))('the %s provider', (provider) => {
    test.each(['defaults', ...Object.keys(CI_SCENARIOS)])(
      'renders %s as the cdk8s render does',
      (scenario) => {
        const overrides = (CI_SCENARIOS[scenario] ?? {}) as Record<string, unknown>;
        const files =
          scenario === 'defaults' ? [] : ['-f', join('charts', 'ci', `${scenario}-values.yaml`)];
        const fromHelm = comparable(
          template(helm, [...files, '--set', `mesh.provider=${provider}`]),
        );
        const settings = loadSettings({
          ...overrides,
          mesh: { ...(overrides.mesh as object), provider },
        });
        expect(fromHelm).toEqual(comparable(renderObjects(settings) as Obj[]));
      },
    );
  });

  test('differs only in the write VirtualNode between breaker off and on', () => {
    const off = comparable(template(helm, ['--set', 'priceWrite.breaker.enabled=false']));
    const on = comparable(template(helm, ['--set', 'priceWrite.breaker.enabled=true']));
    const changed = Object.keys(on).filter(
      (key) => JSON.stringify(on[key]) !== JSON.stringify(off[key]),
    );
    expect(changed).toEqual(['VirtualNode/bulkhead-pattern/price-write-node']);
    expect(
      off['VirtualNode/bulkhead-pattern/price-write-node'].spec.listeners[0].connectionPool,
    ).toBeUndefined();
  });

  test('renders numbers as numbers, also when they are large', () => {
    const objects = template(helm, ['--set', 'priceWrite.breaker.maxConnections=1000000']);
    const node = objects.find((o) => o.metadata.name === 'price-write-node')!;
    expect(node.spec.listeners[0].connectionPool.http.maxConnections).toBe(1000000);
  });

  test('installs two releases side by side with other namespace and mesh names', () => {
    const first = template(helm);
    const second = template(helm, ['-f', join('charts', 'ci', 'custom-names-values.yaml')]);
    const clusterScoped = (objects: Obj[]) =>
      objects.filter((o) => !o.metadata.namespace).map((o) => `${o.kind}/${o.metadata.name}`);
    expect(clusterScoped(first).filter((k) => clusterScoped(second).includes(k))).toEqual([]);
  });

  const helm3 = helm === 'helm3';
  test.each<[string, string[], string, string]>([
    [
      'a zero breaker limit',
      ['--set', 'priceWrite.breaker.maxConnections=0'],
      'priceWrite.breaker.maxConnections: Must be greater than or equal to 1',
      "at '/priceWrite/breaker/maxConnections': minimum: got 0, want 1",
    ],
    [
      'a limit given as text',
      ['--set-string', 'priceWrite.breaker.maxConnections=20'],
      'priceWrite.breaker.maxConnections: Invalid type. Expected: integer, given: string',
      "at '/priceWrite/breaker/maxConnections': got string, want integer",
    ],
    [
      'negative replicas',
      ['--set', 'priceRead.replicas=-1'],
      'priceRead.replicas: Must be greater than or equal to 0',
      "at '/priceRead/replicas': minimum: got -1, want 0",
    ],
    [
      'an unknown key under a breaker',
      ['--set', 'priceWrite.breaker.maxConection=3'],
      'priceWrite.breaker: Additional property maxConection is not allowed',
      "at '/priceWrite/breaker': additional properties 'maxConection' not allowed",
    ],
    [
      'a malformed duration',
      ['--set', 'priceWrite.databaseDelay=5 seconds'],
      'priceWrite.databaseDelay: Does not match pattern',
      "at '/priceWrite/databaseDelay': '5 seconds' does not match pattern",
    ],
    [
      'a malformed memory quantity',
      ['--set', 'priceWrite.resources.limits.memory=128MB'],
      'priceWrite.resources.limits.memory: Does not match pattern',
      "at '/priceWrite/resources/limits/memory': '128MB' does not match pattern",
    ],
    [
      'an empty image repository',
      ['--set', 'image.repository='],
      'image.repository: String length must be greater than or equal to 1',
      "at '/image/repository': minLength: got 0, want 1",
    ],
  ])('refuses %s, naming the value', (_, args, helm3Message, helm4Message) => {
    const run = runHelm(helm, ['template', 'bulkhead', CHART, ...args]);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("values don't meet the specifications of the schema(s)");
    expect(run.stderr).toContain(helm3 ? helm3Message : helm4Message);
  });
});
