import { find, matches, Obj, ofKind, selectedWorkloads, targetReaches } from './objects';

/**
 * Cross-reference checks on rendered objects: selectors select the pods they mean, DNS
 * names resolve to Services that reach the right pods and ports, and every reference
 * names an object that exists. Each function returns problems; empty means consistent.
 */

function label(o: Obj): string {
  return `${o.kind} ${o.metadata.name}`;
}

/** Kubernetes references: namespaces, workload, Service and PodDisruptionBudget selectors. */
export function kubernetesReferenceProblems(objects: readonly Obj[]): string[] {
  return [
    ...namespacesExist(objects),
    ...workloadsSelectOwnPods(objects),
    ...servicesReachPods(objects),
    ...budgetsSelectPods(objects),
  ];
}

/** Every namespaced object lives in a namespace that is rendered too. */
export function namespacesExist(objects: readonly Obj[]): string[] {
  return objects
    .filter(
      (o) =>
        o.metadata.namespace !== undefined && !find(objects, 'Namespace', o.metadata.namespace),
    )
    .map((o) => `${label(o)}: namespace '${o.metadata.namespace}' is not rendered`);
}

/** A Deployment's selector matches its own pod template. */
export function workloadsSelectOwnPods(objects: readonly Obj[]): string[] {
  return ofKind(objects, 'Deployment')
    .filter((d) => !matches(d.spec.selector.matchLabels, d.spec.template.metadata?.labels))
    .map((d) => `${label(d)}: selector does not match its pod template`);
}

/** A Service with a selector selects pods, and each port's target is a port of those pods. */
export function servicesReachPods(objects: readonly Obj[]): string[] {
  return ofKind(objects, 'Service')
    .filter((s) => s.spec.selector !== undefined)
    .flatMap((s) => {
      const workloads = selectedWorkloads(objects, s.metadata.namespace, s.spec.selector);
      if (workloads.length === 0) return [`${label(s)}: selector matches no pods`];
      return s.spec.ports.flatMap((p: Obj) =>
        workloads
          .filter((w) => !targetReaches(p, w))
          .map(
            (w) =>
              `${label(s)}: port ${p.port} targets ${p.targetPort ?? p.port}, which Deployment ${w.metadata.name} does not expose`,
          ),
      );
    });
}

/** A PodDisruptionBudget selects pods. */
export function budgetsSelectPods(objects: readonly Obj[]): string[] {
  return ofKind(objects, 'PodDisruptionBudget')
    .filter(
      (b) =>
        selectedWorkloads(objects, b.metadata.namespace, b.spec.selector.matchLabels).length === 0,
    )
    .map((b) => `${label(b)}: selector matches no pods`);
}

const APPMESH = 'appmesh.k8s.aws/v1beta2';

/** App Mesh objects of `kind` (Istio has a VirtualService too). */
function appMeshOfKind(objects: readonly Obj[], kind: string): Obj[] {
  return ofKind(objects, kind).filter((o) => o.apiVersion === APPMESH);
}

function appMeshFind(
  objects: readonly Obj[],
  kind: string,
  name: string,
  namespace?: string,
): Obj | undefined {
  return appMeshOfKind(objects, kind).find((o) => find([o], kind, name, namespace));
}

/** App Mesh references: pod selectors, DNS names, route targets, providers, the LoadBalancer. */
export function appMeshReferenceProblems(objects: readonly Obj[]): string[] {
  return [
    ...virtualNodesReachPods(objects),
    ...routeTargetsExist(objects),
    ...loadBalancerReachesGateway(objects),
  ];
}

/** Parses `name.namespace.svc.cluster.local`. */
function serviceOfHostname(hostname: string): { name: string; namespace: string } | undefined {
  const match = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(hostname);
  return match ? { name: match[1], namespace: match[2] } : undefined;
}

/**
 * A VirtualNode's pod selector selects pods, and its DNS hostname names a Service that
 * selects the same pods and serves the listener port.
 */
export function virtualNodesReachPods(objects: readonly Obj[]): string[] {
  return appMeshOfKind(objects, 'VirtualNode').flatMap((node) => {
    const ns = node.metadata.namespace;
    const pods = selectedWorkloads(objects, ns, node.spec.podSelector?.matchLabels);
    if (pods.length === 0) return [`${label(node)}: podSelector matches no pods`];
    const hostname = node.spec.serviceDiscovery?.dns?.hostname;
    const target = hostname ? serviceOfHostname(hostname) : undefined;
    const service = target && find(objects, 'Service', target.name, target.namespace);
    if (!service) return [`${label(node)}: DNS hostname '${hostname}' has no Service`];
    const served = selectedWorkloads(objects, service.metadata.namespace, service.spec.selector);
    if (!pods.every((p) => served.includes(p)))
      return [`${label(node)}: Service ${service.metadata.name} does not select the node's pods`];
    return (node.spec.listeners ?? []).flatMap((l: Obj) => {
      const port = service.spec.ports.find((p: Obj) => p.port === l.portMapping.port);
      if (!port)
        return [
          `${label(node)}: Service ${service.metadata.name} has no port ${l.portMapping.port}`,
        ];
      return pods.every((w) => targetReaches(port, w))
        ? []
        : [`${label(node)}: port ${l.portMapping.port} does not reach the pods`];
    });
  });
}

/** Router targets, virtual-service providers and gateway-route targets all exist. */
export function routeTargetsExist(objects: readonly Obj[]): string[] {
  const problems: string[] = [];
  for (const router of appMeshOfKind(objects, 'VirtualRouter')) {
    for (const route of router.spec.routes ?? []) {
      for (const t of route.httpRoute?.action.weightedTargets ?? []) {
        if (
          !appMeshFind(objects, 'VirtualNode', t.virtualNodeRef.name, router.metadata.namespace)
        ) {
          problems.push(
            `${label(router)} route ${route.name}: target VirtualNode '${t.virtualNodeRef.name}' does not exist`,
          );
        }
      }
    }
  }
  for (const vs of appMeshOfKind(objects, 'VirtualService')) {
    const ns = vs.metadata.namespace;
    const routerName = vs.spec.provider?.virtualRouter?.virtualRouterRef?.name;
    const nodeName = vs.spec.provider?.virtualNode?.virtualNodeRef?.name;
    if (routerName && !appMeshFind(objects, 'VirtualRouter', routerName, ns))
      problems.push(`${label(vs)}: provider VirtualRouter '${routerName}' does not exist`);
    if (nodeName && !appMeshFind(objects, 'VirtualNode', nodeName, ns))
      problems.push(`${label(vs)}: provider VirtualNode '${nodeName}' does not exist`);
    if (!routerName && !nodeName) problems.push(`${label(vs)}: has no provider`);
    const target = serviceOfHostname(vs.spec.awsName ?? '');
    if (!target || !find(objects, 'Service', target.name, target.namespace))
      problems.push(`${label(vs)}: awsName '${vs.spec.awsName}' has no Service`);
  }
  for (const route of appMeshOfKind(objects, 'GatewayRoute')) {
    const ref = route.spec.httpRoute?.action.target.virtualService.virtualServiceRef;
    if (
      !ref ||
      !appMeshFind(objects, 'VirtualService', ref.name, ref.namespace ?? route.metadata.namespace)
    ) {
      problems.push(`${label(route)}: target VirtualService '${ref?.name}' does not exist`);
    }
  }
  return problems;
}

/** The gateway's pods exist, and its Service (a LoadBalancer by default) targets the listener port. */
export function loadBalancerReachesGateway(objects: readonly Obj[]): string[] {
  return appMeshOfKind(objects, 'VirtualGateway').flatMap((gw) => {
    const ns = gw.metadata.namespace;
    const pods = selectedWorkloads(objects, ns, gw.spec.podSelector?.matchLabels);
    if (pods.length === 0) return [`${label(gw)}: podSelector matches no pods`];
    const listenerPorts = gw.spec.listeners.map((l: Obj) => l.portMapping.port);
    const reaching = ofKind(objects, 'Service').filter(
      (s) =>
        s.metadata.namespace === ns &&
        pods.every((p) => matches(s.spec.selector, p.spec.template.metadata.labels)) &&
        s.spec.ports.some((p: Obj) => listenerPorts.includes(p.targetPort ?? p.port)),
    );
    return reaching.length > 0
      ? []
      : [`${label(gw)}: no Service targets listener port ${listenerPorts.join(', ')}`];
  });
}
