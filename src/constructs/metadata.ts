/**
 * Labels and annotations shared by every object: the recommended Kubernetes labels, the
 * `app` selector label the original manifests used, and the Argo CD sync waves that roll
 * the system out in dependency order.
 */

/** Value of `app.kubernetes.io/part-of` on every object. */
export const PART_OF = 'bulkhead';

/** The label that selects a workload's pods, as the mesh objects also use it. */
export function selectorLabels(app: string): Record<string, string> {
  return { app };
}

/** The labels of an object that belongs to `app`, in the role `component`. */
export function objectLabels(app: string, component: string): Record<string, string> {
  return {
    ...selectorLabels(app),
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/part-of': PART_OF,
  };
}

/**
 * Argo CD sync waves: the namespace first, then the Mesh, then the mesh objects that
 * routes refer to, then the routes, then the workloads that join the mesh.
 */
export enum SyncWave {
  NAMESPACE = 0,
  MESH = 1,
  MESH_OBJECTS = 2,
  ROUTES = 3,
  WORKLOADS = 4,
}

/** Annotations for an object of a built-in kind, rolled out in `wave`. */
export function builtInAnnotations(wave: SyncWave): Record<string, string> {
  return { 'argocd.argoproj.io/sync-wave': String(wave) };
}

/**
 * Annotations for a custom resource, rolled out in `wave`. Its CRD comes from another
 * chart (the mesh controller's), so Argo CD must not fail the dry run while it is missing.
 */
export function customResourceAnnotations(wave: SyncWave): Record<string, string> {
  return {
    ...builtInAnnotations(wave),
    'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
  };
}
