import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadSettings } from '../../../src/config/load';
import { renderObjects, toYamlDocuments } from '../../../src/render';
import {
  compartmentDifferences,
  compartmentObjects,
  istioReferenceProblems,
} from '../../support/mesh-references';
import { copy, get, Obj } from '../../support/objects';
import { kubernetesReferenceProblems } from '../../support/references';
import { render } from '../../support/render';
import { SCENARIOS } from '../../support/scenarios';
import { allSchemaProblems, sharedCrdsPresent, SHARED_CRDS } from '../../support/schemas';

const withCrds = sharedCrdsPresent() ? describe : describe.skip;
if (!sharedCrdsPresent()) {
  // eslint-disable-next-line no-console
  console.log(`notice: ${SHARED_CRDS} is absent; the Istio schema tests are skipped`);
}

/** A scenario's overrides with the mesh provider set to `provider`. */
function on(provider: string, overrides: unknown = {}): Obj {
  const given = overrides as Obj;
  return { ...given, mesh: { ...given.mesh, provider } };
}

function distObjects(provider: string): Obj[] {
  const text = readFileSync(
    join(__dirname, '..', '..', '..', 'dist', provider, 'bulkhead.yaml'),
    'utf8',
  );
  return parseAllDocuments(text)
    .map((doc) => doc.toJS())
    .filter((o) => o !== null);
}

describe.each(Object.entries(SCENARIOS))('the %s render on Istio', (_, overrides) => {
  withCrds('against the schemas', () => {
    test('validates every object against its CRD or Kubernetes schema', () => {
      expect(allSchemaProblems(render(on('istio', overrides)))).toEqual([]);
    });
  });

  test('keeps every cross reference', () => {
    const objects = render(on('istio', overrides));
    expect([...kubernetesReferenceProblems(objects), ...istioReferenceProblems(objects)]).toEqual(
      [],
    );
  });

  test('renders the compartments exactly as App Mesh does', () => {
    const objects = render(on('istio', overrides));
    expect(compartmentObjects(objects).length).toBeGreaterThanOrEqual(4);
    expect(compartmentDifferences(objects, render(on('appmesh', overrides)))).toEqual([]);
  });
});

withCrds('the Istio schema checks', () => {
  test('catch a connection limit given as text, which the CRD refuses', () => {
    const rule = copy(get(render(on('istio')), 'DestinationRule', 'price-write'));
    rule.spec.trafficPolicy.connectionPool.tcp.maxConnections = 'twenty';
    expect(allSchemaProblems([rule])).toEqual([
      'DestinationRule price-write: /spec/trafficPolicy/connectionPool/tcp/maxConnections must be integer',
    ]);
  });

  test('catch a Gateway server without hosts', () => {
    const gateway = copy(get(render(on('istio')), 'Gateway', 'ingress-gw'));
    delete gateway.spec.servers[0].hosts;
    expect(allSchemaProblems([gateway])).toEqual([
      "Gateway ingress-gw: /spec/servers/0 must have required property 'hosts'",
    ]);
  });
});

describe('the Istio cross-reference checks', () => {
  function problems(kind: string, name: string, breakIt: (o: Obj) => void): string[] {
    const objects = render(on('istio')).map(copy);
    breakIt(get(objects, kind, name));
    return istioReferenceProblems(objects);
  }

  test.each<[string, string, string, (o: Obj) => void, string[]]>([
    [
      'a route to a host without Service',
      'VirtualService',
      'price-router',
      (o) => (o.spec.http[1].route[0].destination.host = 'gone.bulkhead-pattern.svc.cluster.local'),
      [
        "VirtualService price-router route price-read: destination host 'gone.bulkhead-pattern.svc.cluster.local' has no Service",
        "VirtualService price-router route price-read: host 'gone.bulkhead-pattern.svc.cluster.local' has no DestinationRule",
      ],
    ],
    [
      'a route to a port the Service lacks',
      'VirtualService',
      'price-router',
      (o) => (o.spec.http[0].route[0].destination.port.number = 9090),
      ['VirtualService price-router route price-write: Service price-write has no port 9090'],
    ],
    [
      'routes bound to a missing Gateway',
      'VirtualService',
      'price-router',
      (o) => (o.spec.gateways = ['other-gw']),
      ["VirtualService price-router: Gateway 'other-gw' does not exist"],
    ],
    [
      'routes bound to no Gateway',
      'VirtualService',
      'price-router',
      (o) => delete o.spec.gateways,
      ['VirtualService price-router: is bound to no Gateway'],
    ],
    [
      'a Gateway that does not serve the routes’ host',
      'Gateway',
      'ingress-gw',
      (o) => (o.spec.servers[0].hosts = ['shop.example.com']),
      ["VirtualService price-router: Gateway ingress-gw serves no host '*'"],
    ],
    [
      'a DestinationRule for a host without Service',
      'DestinationRule',
      'price-read',
      (o) => (o.spec.host = 'price-reader.bulkhead-pattern.svc.cluster.local'),
      [
        "DestinationRule price-read: host 'price-reader.bulkhead-pattern.svc.cluster.local' has no Service",
        "VirtualService price-router route price-read: host 'price-read.bulkhead-pattern.svc.cluster.local' has no DestinationRule",
      ],
    ],
    [
      'an App Mesh annotation on a pod template',
      'Deployment',
      'price-write',
      (o) => (o.spec.template.metadata.annotations = { 'appmesh.k8s.aws/mesh': 'm' }),
      ["Deployment price-write: carries the App Mesh key 'appmesh.k8s.aws/mesh'"],
    ],
    [
      'an App Mesh selector label on the namespace',
      'Namespace',
      'bulkhead-pattern',
      (o) => (o.metadata.labels.mesh = 'bulkhead-pattern'),
      ["Namespace bulkhead-pattern: carries the App Mesh key 'mesh'"],
    ],
    [
      'a namespace without injection',
      'Namespace',
      'bulkhead-pattern',
      (o) => delete o.metadata.labels['istio-injection'],
      ['Namespace bulkhead-pattern: lacks the label istio-injection: enabled'],
    ],
    [
      'a load tester that would get a sidecar',
      'Deployment',
      'vegeta',
      (o) => delete o.spec.template.metadata.annotations,
      ['Deployment vegeta: pods lack the annotation sidecar.istio.io/inject: "false"'],
    ],
  ])('catch %s', (_, kind, name, breakIt, expected) => {
    expect(problems(kind, name, breakIt)).toEqual(expected);
  });

  test('catch an App Mesh object among the Istio objects', () => {
    const objects = [
      ...render(on('istio')),
      get(render(on('appmesh')), 'Mesh', 'bulkhead-pattern'),
    ];
    expect(istioReferenceProblems(objects)).toEqual([
      'Mesh bulkhead-pattern: is an App Mesh object',
    ]);
  });

  test('catch a compartment that differs between providers', () => {
    const objects = render(on('istio')).map(copy);
    get(objects, 'Service', 'price-read').spec.ports[0].port = 80;
    expect(compartmentDifferences(objects, render(on('appmesh')))).toEqual([
      'Service price-read: differs from the reference',
    ]);
  });

  test('catch a compartment object that one provider lacks', () => {
    const objects = render(on('istio')).filter(
      (o) => !(o.kind === 'Deployment' && o.metadata.name === 'price-write'),
    );
    expect(compartmentDifferences(objects, render(on('appmesh')))).toEqual([
      'Deployment price-write: missing',
    ]);
  });
});

describe('dist/istio', () => {
  test('is what a fresh render of the defaults gives (run `npx projen synth` if not)', () => {
    const committed = readFileSync(
      join(__dirname, '..', '..', '..', 'dist', 'istio', 'bulkhead.yaml'),
      'utf8',
    );
    const fresh = toYamlDocuments(
      renderObjects(loadSettings({ mesh: { provider: 'istio' } })),
      committed.split('\n---\n')[0].replace(/^# /gm, ''),
    );
    expect(fresh).toEqual(committed);
    expect(committed).toContain('mesh.provider=istio');
  });

  test('holds the same compartments, Services and probes as dist/appmesh', () => {
    const istio = distObjects('istio');
    expect(compartmentObjects(istio).map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Deployment price-write',
      'Service price-write',
      'Deployment price-read',
      'Service price-read',
    ]);
    expect(compartmentDifferences(istio, distObjects('appmesh'))).toEqual([]);
  });
});
