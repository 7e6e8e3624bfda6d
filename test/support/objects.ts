/**
 * Small helpers for looking at rendered Kubernetes objects in tests: find by kind and
 * name, and match label selectors against pod templates and namespaces.
 */

// Rendered objects are plain JSON; tests read them loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

/** Every object of `kind`. */
export function ofKind(objects: readonly Obj[], kind: string): Obj[] {
  return objects.filter((o) => o.kind === kind);
}

/** The object of `kind` named `name` (in `namespace`, when given), or undefined. */
export function find(
  objects: readonly Obj[],
  kind: string,
  name: string,
  namespace?: string,
): Obj | undefined {
  return objects.find(
    (o) =>
      o.kind === kind &&
      o.metadata?.name === name &&
      (namespace === undefined || o.metadata?.namespace === namespace),
  );
}

/** Like `find`, but fails the test when the object is missing. */
export function get(objects: readonly Obj[], kind: string, name: string): Obj {
  const found = find(objects, kind, name);
  if (!found) throw new Error(`no ${kind} named '${name}' among the rendered objects`);
  return found;
}

/** Whether `labels` carry every pair of `matchLabels` (an empty selector matches nothing here). */
export function matches(
  matchLabels: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const pairs = Object.entries(matchLabels ?? {});
  return pairs.length > 0 && pairs.every(([key, value]) => labels?.[key] === value);
}

/** The pod-bearing workloads (Deployments) in `namespace` whose pods `matchLabels` selects. */
export function selectedWorkloads(
  objects: readonly Obj[],
  namespace: string,
  matchLabels: Record<string, string> | undefined,
): Obj[] {
  return ofKind(objects, 'Deployment').filter(
    (d) =>
      d.metadata.namespace === namespace && matches(matchLabels, d.spec.template.metadata?.labels),
  );
}

/** The container ports of a workload's pods, by number and by name. */
export function containerPorts(workload: Obj): { number: number; name?: string }[] {
  return workload.spec.template.spec.containers.flatMap((c: Obj) =>
    (c.ports ?? []).map((p: Obj) => ({ number: p.containerPort, name: p.name })),
  );
}

/** Whether a Service port's targetPort reaches a container port of `workload`. */
export function targetReaches(servicePort: Obj, workload: Obj): boolean {
  const target = servicePort.targetPort ?? servicePort.port;
  return containerPorts(workload).some((p) =>
    typeof target === 'number' ? p.number === target : p.name === target,
  );
}

/** A deep copy, for tests that break a rendered object on purpose. */
export function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}
