import {
  builtInAnnotations,
  customResourceAnnotations,
  objectLabels,
  SyncWave,
} from '../../src/constructs/metadata';

describe('metadata', () => {
  test('labels an object with the selector label and the recommended labels', () => {
    expect(objectLabels('price-read', 'compartment')).toEqual({
      app: 'price-read',
      'app.kubernetes.io/name': 'price-read',
      'app.kubernetes.io/component': 'compartment',
      'app.kubernetes.io/part-of': 'bulkhead',
    });
  });

  test('orders the rollout namespace, mesh, mesh objects, routes, workloads', () => {
    expect([
      SyncWave.NAMESPACE,
      SyncWave.MESH,
      SyncWave.MESH_OBJECTS,
      SyncWave.ROUTES,
      SyncWave.WORKLOADS,
    ]).toEqual([0, 1, 2, 3, 4]);
    expect(builtInAnnotations(SyncWave.WORKLOADS)).toEqual({ 'argocd.argoproj.io/sync-wave': '4' });
  });

  test('lets Argo CD skip the dry run of custom resources whose CRD is missing', () => {
    expect(customResourceAnnotations(SyncWave.ROUTES)).toEqual({
      'argocd.argoproj.io/sync-wave': '3',
      'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
    });
  });
});
