import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSettings } from '../../src/config/load';
import { toYamlDocuments } from '../../src/render';
import { renderObjects } from '../../src/render';
import { appMeshAdmissionProblems } from '../support/appmesh-rules';
import { copy, get, Obj } from '../support/objects';
import { appMeshReferenceProblems, kubernetesReferenceProblems } from '../support/references';
import { render } from '../support/render';
import { SCENARIOS } from '../support/scenarios';
import { allSchemaProblems, sharedCrdsPresent, SHARED_CRDS } from '../support/schemas';

const withCrds = sharedCrdsPresent() ? describe : describe.skip;
if (!sharedCrdsPresent()) {
  // eslint-disable-next-line no-console
  console.log(`notice: ${SHARED_CRDS} is absent; the schema tests are skipped`);
}

describe.each(Object.entries(SCENARIOS))('the %s render', (_, overrides) => {
  withCrds('against the schemas', () => {
    test('validates every object against its CRD or Kubernetes schema', () => {
      expect(allSchemaProblems(render(overrides))).toEqual([]);
    });
  });

  test('passes the App Mesh controller admission rules', () => {
    expect(appMeshAdmissionProblems(render(overrides))).toEqual([]);
  });

  test('keeps every cross reference', () => {
    const objects = render(overrides);
    expect([...kubernetesReferenceProblems(objects), ...appMeshReferenceProblems(objects)]).toEqual(
      [],
    );
  });
});

withCrds('the schema checks', () => {
  test('catch a breaker limit given as text, which the CRD refuses', () => {
    const objects = render();
    const node = copy(get(objects, 'VirtualNode', 'price-write-node'));
    node.spec.listeners[0].connectionPool.http.maxConnections = '20';
    expect(allSchemaProblems([node])).toEqual([
      'VirtualNode price-write-node: /spec/listeners/0/connectionPool/http/maxConnections must be integer',
    ]);
  });

  test('catch a built-in object of the wrong shape', () => {
    const deployment = copy(get(render(), 'Deployment', 'price-read'));
    deployment.spec.replicas = 'one';
    expect(allSchemaProblems([deployment])).toEqual([
      expect.stringMatching(/^Deployment price-read: .*replicas.*integer/),
    ]);
  });
});

describe('the admission checks', () => {
  function broken(kind: string, name: string, breakIt: (o: Obj) => void): Obj[] {
    const objects = render().map(copy);
    breakIt(get(objects, kind, name));
    return objects;
  }

  test.each<[string, string, string, (o: Obj) => void, string]>([
    [
      'a meshRef',
      'VirtualNode',
      'price-read-node',
      (o) => (o.spec.meshRef = { name: 'm', uid: 'u' }),
      'VirtualNode price-read-node: sets spec.meshRef',
    ],
    [
      'a virtualGatewayRef',
      'GatewayRoute',
      'gateway-route-paths',
      (o) => (o.spec.virtualGatewayRef = { name: 'g' }),
      'GatewayRoute gateway-route-paths: sets spec.virtualGatewayRef',
    ],
    [
      'listeners without service discovery',
      'VirtualNode',
      'price-read-node',
      (o) => delete o.spec.serviceDiscovery,
      'VirtualNode price-read-node: has listeners but no serviceDiscovery',
    ],
    [
      'two connection-pool types',
      'VirtualNode',
      'price-write-node',
      (o) => (o.spec.listeners[0].connectionPool.tcp = { maxConnections: 1 }),
      'VirtualNode price-write-node: listener 0 has 2 connectionPool types',
    ],
    [
      'a pool of another protocol',
      'VirtualNode',
      'price-write-node',
      (o) => (o.spec.listeners[0].connectionPool = { tcp: { maxConnections: 1 } }),
      'VirtualNode price-write-node: listener 0 is http but its connectionPool is tcp',
    ],
    [
      'a match with prefix and path',
      'VirtualRouter',
      'price-router',
      (o) => (o.spec.routes[0].httpRoute.match.path = { exact: '/price' }),
      'VirtualRouter price-router route price-write-route: match must have exactly one of prefix and path',
    ],
    [
      'a duplicate route name',
      'VirtualRouter',
      'price-router',
      (o) => (o.spec.routes[1].name = o.spec.routes[0].name),
      "VirtualRouter price-router: route name 'price-write-route' is used twice",
    ],
    [
      'a Mesh that misses the namespace',
      'Mesh',
      'bulkhead-pattern',
      (o) => (o.spec.namespaceSelector.matchLabels = { mesh: 'other' }),
      'namespace bulkhead-pattern: matched by 0 Meshes, must be exactly one',
    ],
    [
      'a gateway that selects no route',
      'VirtualGateway',
      'ingress-gw',
      (o) => (o.spec.namespaceSelector.matchLabels = { gateway: 'elsewhere' }),
      'GatewayRoute gateway-route-paths: matched by 0 VirtualGateways, must be exactly one',
    ],
  ])('refuse %s', (_, kind, name, breakIt, problem) => {
    expect(appMeshAdmissionProblems(broken(kind, name, breakIt))).toEqual([problem]);
  });
});

test('the admission checks refuse a namespace in two Meshes', () => {
  const objects = render();
  const second = copy(get(objects, 'Mesh', 'bulkhead-pattern'));
  second.metadata.name = 'second';
  expect(appMeshAdmissionProblems([...objects, second])).toEqual([
    'namespace bulkhead-pattern: matched by 2 Meshes, must be exactly one',
  ]);
});

describe('the cross-reference checks', () => {
  function problems(kind: string, name: string, breakIt: (o: Obj) => void): string[] {
    const objects = render().map(copy);
    breakIt(get(objects, kind, name));
    return [...kubernetesReferenceProblems(objects), ...appMeshReferenceProblems(objects)];
  }

  test.each<[string, string, string, (o: Obj) => void, string[]]>([
    [
      'a Service selecting no pods',
      'Service',
      'price-read',
      (o) => (o.spec.selector = { app: 'nothing' }),
      [
        'Service price-read: selector matches no pods',
        "VirtualNode price-read-node: Service price-read does not select the node's pods",
      ],
    ],
    [
      'a Service port aimed at no container port',
      'Service',
      'price-write',
      (o) => (o.spec.ports[0].targetPort = 9999),
      [
        'Service price-write: port 8080 targets 9999, which Deployment price-write does not expose',
        'VirtualNode price-write-node: port 8080 does not reach the pods',
      ],
    ],
    [
      'a node selecting no pods',
      'VirtualNode',
      'price-read-node',
      (o) => (o.spec.podSelector.matchLabels = { app: 'x' }),
      ['VirtualNode price-read-node: podSelector matches no pods'],
    ],
    [
      'a DNS name without Service',
      'VirtualNode',
      'price-write-node',
      (o) => (o.spec.serviceDiscovery.dns.hostname = 'nope.bulkhead-pattern.svc.cluster.local'),
      [
        "VirtualNode price-write-node: DNS hostname 'nope.bulkhead-pattern.svc.cluster.local' has no Service",
      ],
    ],
    [
      'a route to a missing node',
      'VirtualRouter',
      'price-router',
      (o) => (o.spec.routes[0].httpRoute.action.weightedTargets[0].virtualNodeRef.name = 'gone'),
      [
        "VirtualRouter price-router route price-write-route: target VirtualNode 'gone' does not exist",
      ],
    ],
    [
      'a missing provider',
      'VirtualService',
      'price-service',
      (o) => (o.spec.provider.virtualRouter.virtualRouterRef.name = 'gone'),
      ["VirtualService price-service: provider VirtualRouter 'gone' does not exist"],
    ],
    [
      'a gateway route to a missing service',
      'GatewayRoute',
      'gateway-route-paths',
      (o) => (o.spec.httpRoute.action.target.virtualService.virtualServiceRef.name = 'gone'),
      ["GatewayRoute gateway-route-paths: target VirtualService 'gone' does not exist"],
    ],
    [
      'a LoadBalancer aimed past the listener',
      'Service',
      'ingress-gw',
      (o) => (o.spec.ports[0].targetPort = 8080),
      [
        'Service ingress-gw: port 80 targets 8080, which Deployment ingress-gw does not expose',
        'VirtualGateway ingress-gw: no Service targets listener port 8088',
      ],
    ],
    [
      'an object outside any rendered namespace',
      'Deployment',
      'vegeta',
      (o) => (o.metadata.namespace = 'elsewhere'),
      ["Deployment vegeta: namespace 'elsewhere' is not rendered"],
    ],
  ])('catch %s', (_, kind, name, breakIt, expected) => {
    expect(problems(kind, name, breakIt)).toEqual(expected);
  });
});

describe('dist/', () => {
  test('is what a fresh render of the defaults gives (run `npx projen synth` if not)', () => {
    const committed = readFileSync(
      join(__dirname, '..', '..', 'dist', 'appmesh', 'bulkhead.yaml'),
      'utf8',
    );
    const fresh = toYamlDocuments(
      renderObjects(loadSettings({ mesh: { provider: 'appmesh' } })),
      committed.split('\n---\n')[0].replace(/^# /gm, ''),
    );
    expect(fresh).toEqual(committed);
    expect(committed.startsWith('# Generated by `npx projen synth`')).toBe(true);
  });

  test('matches the snapshot of the default render', () => {
    const objects = render();
    expect(objects).toMatchSnapshot();
    expect(
      get(objects, 'VirtualNode', 'price-write-node').spec.listeners[0].connectionPool.http,
    ).toEqual({ maxConnections: 20, maxPendingRequests: 5 });
  });
});
