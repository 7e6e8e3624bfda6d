import { get, ofKind } from '../../support/objects';
import { render } from '../../support/render';

function envoyGateway(overrides: object = {}) {
  return render({ mesh: { provider: 'envoy-gateway' }, ...overrides });
}

describe('EnvoyGatewayRendering', () => {
  test('labels the namespace with nothing of a mesh: there are no sidecars', () => {
    expect(get(envoyGateway(), 'Namespace', 'bulkhead-pattern').metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'bulkhead',
    });
  });

  test('leaves the Vegeta pod without mesh annotations', () => {
    const vegeta = get(envoyGateway(), 'Deployment', 'vegeta');
    expect(vegeta.spec.template.metadata.annotations ?? {}).toEqual({});
  });

  test('renders a Gateway, an HTTPRoute and a policy per rule, and no App Mesh', () => {
    const objects = envoyGateway();
    const edge = objects.filter((o) => !['v1', 'apps/v1', 'policy/v1'].includes(o.apiVersion));
    expect(edge.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'gateway.networking.k8s.io/v1 Gateway ingress-gw',
      'gateway.networking.k8s.io/v1 HTTPRoute price-router',
      'gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy price-write',
      'gateway.envoyproxy.io/v1alpha1 BackendTrafficPolicy price-read',
    ]);
  });

  test('renders no gateway workload: Envoy Gateway provisions its own', () => {
    expect(ofKind(envoyGateway(), 'Deployment').map((d) => d.metadata.name)).toEqual([
      'price-write',
      'price-read',
      'vegeta',
    ]);
  });

  test('marks the objects for Argo CD: skip dry run, the Gateway before route and policies', () => {
    const objects = envoyGateway();
    const wave = (kind: string) =>
      ofKind(objects, kind).map((o) => o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('Gateway')).toEqual(['2']);
    expect(wave('HTTPRoute')).toEqual(['3']);
    expect(wave('BackendTrafficPolicy')).toEqual(['3', '3']);
    for (const o of objects.filter((x) => x.apiVersion.startsWith('gateway.'))) {
      expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe(
        'SkipDryRunOnMissingResource=true',
      );
    }
  });
});
