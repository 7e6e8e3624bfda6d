import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadSettings } from '../../../src/config/load';
import { renderObjects, toYamlDocuments } from '../../../src/render';
import {
  compartmentDifferences,
  compartmentObjects,
  envoyGatewayReferenceProblems,
} from '../../support/mesh-references';
import { copy, get, Obj } from '../../support/objects';
import { kubernetesReferenceProblems } from '../../support/references';
import { render } from '../../support/render';
import { SCENARIOS } from '../../support/scenarios';
import { allSchemaProblems, sharedCrdsPresent, SHARED_CRDS } from '../../support/schemas';

const withCrds = sharedCrdsPresent() ? describe : describe.skip;
if (!sharedCrdsPresent()) {
  // eslint-disable-next-line no-console
  console.log(`notice: ${SHARED_CRDS} is absent; the Envoy Gateway schema tests are skipped`);
}

/** A scenario's overrides with the mesh provider set to `provider`. */
function on(provider: string, overrides: unknown = {}): Obj {
  const given = overrides as Obj;
  return { ...given, mesh: { ...given.mesh, provider } };
}

function distObjects(provider: string): Obj[] {
  const file = join(__dirname, '..', '..', '..', 'dist', provider, 'bulkhead.yaml');
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS())
    .filter((o) => o !== null);
}

describe.each(Object.entries(SCENARIOS))('the %s render on Envoy Gateway', (_, overrides) => {
  withCrds('against the schemas', () => {
    test('validates every object against its CRD or Kubernetes schema', () => {
      expect(allSchemaProblems(render(on('envoy-gateway', overrides)))).toEqual([]);
    });
  });

  test('keeps every cross reference', () => {
    const objects = render(on('envoy-gateway', overrides));
    expect([
      ...kubernetesReferenceProblems(objects),
      ...envoyGatewayReferenceProblems(objects),
    ]).toEqual([]);
  });

  test('renders the compartments exactly as App Mesh does', () => {
    const objects = render(on('envoy-gateway', overrides));
    expect(compartmentObjects(objects).length).toBeGreaterThanOrEqual(4);
    expect(compartmentDifferences(objects, render(on('appmesh', overrides)))).toEqual([]);
  });
});

withCrds('the Envoy Gateway schema checks', () => {
  test('catch a breaker limit given as text, which the CRD refuses', () => {
    const policy = copy(get(render(on('envoy-gateway')), 'BackendTrafficPolicy', 'price-write'));
    policy.spec.circuitBreaker.maxPendingRequests = 'five';
    expect(allSchemaProblems([policy])).toEqual([
      'BackendTrafficPolicy price-write: /spec/circuitBreaker/maxPendingRequests must be integer',
    ]);
  });

  test('catch a rule name that is no DNS name', () => {
    const route = copy(get(render(on('envoy-gateway')), 'HTTPRoute', 'price-router'));
    route.spec.rules[0].name = 'Price Write';
    expect(allSchemaProblems([route])).toEqual([
      'HTTPRoute price-router: /spec/rules/0/name must match pattern "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"',
    ]);
  });
});

describe('the Envoy Gateway cross-reference checks', () => {
  function problems(kind: string, name: string, breakIt: (o: Obj) => void): string[] {
    const objects = render(on('envoy-gateway')).map(copy);
    breakIt(get(objects, kind, name));
    return envoyGatewayReferenceProblems(objects);
  }

  test.each<[string, string, string, (o: Obj) => void, string[]]>([
    [
      'a route on a missing Gateway',
      'HTTPRoute',
      'price-router',
      (o) => (o.spec.parentRefs[0].name = 'other-gw'),
      ["HTTPRoute price-router: parent Gateway 'other-gw' does not exist"],
    ],
    [
      'a route on a missing listener',
      'Gateway',
      'ingress-gw',
      (o) => (o.spec.listeners[0].name = 'web'),
      ["HTTPRoute price-router: Gateway ingress-gw has no listener 'http'"],
    ],
    [
      'a route on a listener that is not HTTP',
      'Gateway',
      'ingress-gw',
      (o) => (o.spec.listeners[0].protocol = 'TCP'),
      ['HTTPRoute price-router: Gateway ingress-gw has no HTTP listener to attach to'],
    ],
    [
      'a backend without Service',
      'HTTPRoute',
      'price-router',
      (o) => (o.spec.rules[1].backendRefs[0].name = 'gone'),
      ["HTTPRoute price-router rule price-read: backend Service 'gone' does not exist"],
    ],
    [
      'a backend port the Service lacks',
      'HTTPRoute',
      'price-router',
      (o) => (o.spec.rules[0].backendRefs[0].port = 80),
      ['HTTPRoute price-router rule price-write: Service price-write has no port 80'],
    ],
    [
      'a policy on another kind',
      'BackendTrafficPolicy',
      'price-write',
      (o) => (o.spec.targetRefs[0].kind = 'GRPCRoute'),
      [
        'BackendTrafficPolicy price-write: targets gateway.networking.k8s.io/GRPCRoute, not an HTTPRoute',
        'HTTPRoute price-router rule price-write: 0 BackendTrafficPolicies target it, not 1',
      ],
    ],
    [
      'a policy on a missing HTTPRoute',
      'BackendTrafficPolicy',
      'price-read',
      (o) => (o.spec.targetRefs[0].name = 'gone'),
      [
        "BackendTrafficPolicy price-read: HTTPRoute 'gone' does not exist",
        'HTTPRoute price-router rule price-read: 0 BackendTrafficPolicies target it, not 1',
      ],
    ],
    [
      'a policy on a whole route',
      'BackendTrafficPolicy',
      'price-read',
      (o) => delete o.spec.targetRefs[0].sectionName,
      [
        'BackendTrafficPolicy price-read: targets all of HTTPRoute price-router, not one rule',
        'HTTPRoute price-router rule price-read: 0 BackendTrafficPolicies target it, not 1',
      ],
    ],
    [
      'a policy on a missing rule',
      'HTTPRoute',
      'price-router',
      (o) => (o.spec.rules[0].name = 'writes'),
      [
        "BackendTrafficPolicy price-write: HTTPRoute price-router has no rule 'price-write'",
        'HTTPRoute price-router rule writes: 0 BackendTrafficPolicies target it, not 1',
      ],
    ],
    [
      'two policies on one rule',
      'BackendTrafficPolicy',
      'price-read',
      (o) => (o.spec.targetRefs[0].sectionName = 'price-write'),
      [
        'HTTPRoute price-router rule price-write: 2 BackendTrafficPolicies target it, not 1',
        'HTTPRoute price-router rule price-read: 0 BackendTrafficPolicies target it, not 1',
      ],
    ],
    [
      'a rule without name',
      'HTTPRoute',
      'price-router',
      (o) => delete o.spec.rules[1].name,
      [
        "BackendTrafficPolicy price-read: HTTPRoute price-router has no rule 'price-read'",
        'HTTPRoute price-router: has a rule without name',
      ],
    ],
    [
      'a rule name used twice',
      'HTTPRoute',
      'price-router',
      (o) => (o.spec.rules[1].name = 'price-write'),
      [
        "BackendTrafficPolicy price-read: HTTPRoute price-router has no rule 'price-read'",
        "HTTPRoute price-router: rule name 'price-write' repeats",
      ],
    ],
    [
      'an App Mesh label on the namespace',
      'Namespace',
      'bulkhead-pattern',
      (o) => (o.metadata.labels['appmesh.k8s.aws/sidecarInjectorWebhook'] = 'enabled'),
      [
        "Namespace bulkhead-pattern: carries the App Mesh key 'appmesh.k8s.aws/sidecarInjectorWebhook'",
      ],
    ],
  ])('catch %s', (_, kind, name, breakIt, expected) => {
    expect(problems(kind, name, breakIt)).toEqual(expected);
  });
});

describe('dist/envoy-gateway', () => {
  test('is what a fresh render of the defaults gives (run `npx projen synth` if not)', () => {
    const committed = readFileSync(
      join(__dirname, '..', '..', '..', 'dist', 'envoy-gateway', 'bulkhead.yaml'),
      'utf8',
    );
    const fresh = toYamlDocuments(
      renderObjects(loadSettings({ mesh: { provider: 'envoy-gateway' } })),
      committed.split('\n---\n')[0].replace(/^# /gm, ''),
    );
    expect(fresh).toEqual(committed);
    expect(committed).toContain('mesh.provider=envoy-gateway');
  });

  test('holds the same compartments, Services and probes as dist/appmesh', () => {
    const edge = distObjects('envoy-gateway');
    expect(compartmentObjects(edge).map((o) => `${o.kind} ${o.metadata.name}`)).toEqual([
      'Deployment price-write',
      'Service price-write',
      'Deployment price-read',
      'Service price-read',
    ]);
    expect(compartmentDifferences(edge, distObjects('appmesh'))).toEqual([]);
  });
});
