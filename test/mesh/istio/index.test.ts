import { IstioRendering } from '../../../src/mesh/istio';
import { get, ofKind } from '../../support/objects';
import { render } from '../../support/render';

function istio(overrides: object = {}) {
  return render({ mesh: { provider: 'istio' }, ...overrides });
}

describe('IstioRendering', () => {
  test('labels the namespace for sidecar injection and for nothing of App Mesh', () => {
    expect(get(istio(), 'Namespace', 'bulkhead-pattern').metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'bulkhead',
      'istio-injection': 'enabled',
    });
  });

  test('keeps the Vegeta pod out of the mesh', () => {
    const vegeta = get(istio(), 'Deployment', 'vegeta');
    expect(vegeta.spec.template.metadata.annotations).toEqual({
      'sidecar.istio.io/inject': 'false',
    });
  });

  test('renders a Gateway, a VirtualService and a DestinationRule per compartment, and no App Mesh', () => {
    const objects = istio();
    const mesh = objects.filter((o) => !['v1', 'apps/v1', 'policy/v1'].includes(o.apiVersion));
    expect(mesh.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`)).toEqual([
      'networking.istio.io/v1 DestinationRule price-write',
      'networking.istio.io/v1 DestinationRule price-read',
      'networking.istio.io/v1 Gateway ingress-gw',
      'networking.istio.io/v1 VirtualService price-router',
    ]);
  });

  test('renders no gateway workload and no selectorless Service: Istio brings its own', () => {
    const objects = istio();
    expect(ofKind(objects, 'Deployment').map((d) => d.metadata.name)).toEqual([
      'price-write',
      'price-read',
      'vegeta',
    ]);
    expect(ofKind(objects, 'Service').map((s) => s.metadata.name)).toEqual([
      'price-write',
      'price-read',
    ]);
  });

  test('marks Istio objects for Argo CD: skip dry run, rules and gateway before routes', () => {
    const objects = istio();
    const wave = (kind: string) =>
      ofKind(objects, kind).map((o) => o.metadata.annotations['argocd.argoproj.io/sync-wave']);
    expect(wave('DestinationRule')).toEqual(['2', '2']);
    expect(wave('Gateway')).toEqual(['2']);
    expect(wave('VirtualService')).toEqual(['3']);
    for (const o of objects.filter((x) => x.apiVersion.startsWith('networking.istio.io/'))) {
      expect(o.metadata.annotations['argocd.argoproj.io/sync-options']).toBe(
        'SkipDryRunOnMissingResource=true',
      );
    }
  });

  test('asks for the same labels and annotations whatever the settings', () => {
    const rendering = new IstioRendering();
    expect(rendering.namespaceLabels()).toEqual({ 'istio-injection': 'enabled' });
    expect(rendering.outsideMeshAnnotations()).toEqual({ 'sidecar.istio.io/inject': 'false' });
  });
});
