import { get, ofKind } from '../../support/objects';
import { render } from '../../support/render';

describe('AppMeshRendering', () => {
  test('renders a cluster-scoped Mesh that selects the namespace by its mesh label', () => {
    const mesh = get(render({ mesh: { name: 'other-mesh' } }), 'Mesh', 'other-mesh');
    expect(mesh.metadata.namespace).toBeUndefined();
    expect(mesh.spec).toEqual({ namespaceSelector: { matchLabels: { mesh: 'other-mesh' } } });
  });

  test('never sets meshRef or virtualGatewayRef, which the controller owns', () => {
    for (const o of render().filter((x) => x.apiVersion === 'appmesh.k8s.aws/v1beta2')) {
      expect(o.spec).not.toHaveProperty('meshRef');
      expect(o.spec).not.toHaveProperty('virtualGatewayRef');
    }
  });

  test('marks App Mesh objects for Argo CD: skip dry run, and ordered waves', () => {
    const objects = render();
    const waves = Object.fromEntries(
      ofKind(objects, 'Mesh')
        .concat(ofKind(objects, 'VirtualNode'), ofKind(objects, 'GatewayRoute'))
        .map((o) => [o.kind, o.metadata.annotations]),
    );
    expect(waves.Mesh['argocd.argoproj.io/sync-wave']).toBe('1');
    expect(waves.VirtualNode['argocd.argoproj.io/sync-wave']).toBe('2');
    expect(waves.GatewayRoute['argocd.argoproj.io/sync-wave']).toBe('3');
    for (const annotations of Object.values(waves) as Record<string, string>[]) {
      expect(annotations['argocd.argoproj.io/sync-options']).toBe(
        'SkipDryRunOnMissingResource=true',
      );
    }
  });
});
