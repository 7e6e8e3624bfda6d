import { matches, Obj, ofKind } from './objects';

/**
 * The App Mesh controller's admission rules (its validating webhooks), checked on rendered
 * objects. Each function returns the problems it finds, worded as the controller would
 * refuse the object; an empty list means the controller would accept everything.
 */

const APPMESH = 'appmesh.k8s.aws/v1beta2';

function appMeshObjects(objects: readonly Obj[]): Obj[] {
  return objects.filter((o) => o.apiVersion === APPMESH);
}

function label(o: Obj): string {
  return `${o.kind} ${o.metadata.name}`;
}

/** Every admission problem of the objects. */
export function appMeshAdmissionProblems(objects: readonly Obj[]): string[] {
  return [
    ...noMeshRefs(objects),
    ...serviceDiscoveryWithListeners(objects),
    ...connectionPoolsMatchProtocol(objects),
    ...routeMatchesHaveOnePathRule(objects),
    ...noDuplicateRoutesOrBackends(objects),
    ...namespacesInOneMesh(objects),
    ...gatewayRoutesOnOneGateway(objects),
  ];
}

/** The controller fills in meshRef and virtualGatewayRef and refuses objects that set them. */
export function noMeshRefs(objects: readonly Obj[]): string[] {
  return appMeshObjects(objects).flatMap((o) => {
    const problems: string[] = [];
    if (o.spec?.meshRef !== undefined) problems.push(`${label(o)}: sets spec.meshRef`);
    if (o.kind === 'GatewayRoute' && o.spec?.virtualGatewayRef !== undefined) {
      problems.push(`${label(o)}: sets spec.virtualGatewayRef`);
    }
    return problems;
  });
}

/** A VirtualNode with listeners must say how its pods are discovered. */
export function serviceDiscoveryWithListeners(objects: readonly Obj[]): string[] {
  return ofKind(appMeshObjects(objects), 'VirtualNode')
    .filter((n) => (n.spec.listeners ?? []).length > 0 && n.spec.serviceDiscovery === undefined)
    .map((n) => `${label(n)}: has listeners but no serviceDiscovery`);
}

/** At most one connection-pool type per listener, the one of the listener's protocol. */
export function connectionPoolsMatchProtocol(objects: readonly Obj[]): string[] {
  return appMeshObjects(objects)
    .filter((o) => o.kind === 'VirtualNode' || o.kind === 'VirtualGateway')
    .flatMap((o) =>
      (o.spec.listeners ?? []).flatMap((listener: Obj, i: number) => {
        const types = Object.keys(listener.connectionPool ?? {});
        const protocol = listener.portMapping.protocol;
        if (types.length > 1)
          return [`${label(o)}: listener ${i} has ${types.length} connectionPool types`];
        if (types.length === 1 && types[0] !== protocol) {
          return [
            `${label(o)}: listener ${i} is ${protocol} but its connectionPool is ${types[0]}`,
          ];
        }
        return [];
      }),
    );
}

function httpMatches(o: Obj): { where: string; match: Obj }[] {
  if (o.kind === 'GatewayRoute')
    return o.spec.httpRoute ? [{ where: label(o), match: o.spec.httpRoute.match }] : [];
  if (o.kind !== 'VirtualRouter') return [];
  return (o.spec.routes ?? [])
    .filter((r: Obj) => r.httpRoute)
    .map((r: Obj) => ({ where: `${label(o)} route ${r.name}`, match: r.httpRoute.match }));
}

/** A route's match names exactly one of prefix and path. */
export function routeMatchesHaveOnePathRule(objects: readonly Obj[]): string[] {
  return appMeshObjects(objects)
    .flatMap(httpMatches)
    .filter(({ match }) => (match.prefix !== undefined) === (match.path !== undefined))
    .map(({ where }) => `${where}: match must have exactly one of prefix and path`);
}

/** Route names are unique in a router; a route's targets and a node's backends are unique. */
export function noDuplicateRoutesOrBackends(objects: readonly Obj[]): string[] {
  const problems: string[] = [];
  for (const router of ofKind(appMeshObjects(objects), 'VirtualRouter')) {
    const names = (router.spec.routes ?? []).map((r: Obj) => r.name);
    for (const name of duplicates(names))
      problems.push(`${label(router)}: route name '${name}' is used twice`);
    for (const route of router.spec.routes ?? []) {
      const targets = (route.httpRoute?.action.weightedTargets ?? []).map(
        (t: Obj) => t.virtualNodeRef?.name,
      );
      for (const t of duplicates(targets))
        problems.push(`${label(router)} route ${route.name}: target '${t}' is listed twice`);
    }
  }
  for (const node of ofKind(appMeshObjects(objects), 'VirtualNode')) {
    const backends = (node.spec.backends ?? []).map(
      (b: Obj) => b.virtualService?.virtualServiceRef?.name,
    );
    for (const b of duplicates(backends))
      problems.push(`${label(node)}: backend '${b}' is listed twice`);
  }
  return problems;
}

function duplicates(values: string[]): string[] {
  return [...new Set(values.filter((v, i) => values.indexOf(v) !== i))];
}

function namespaceLabels(
  objects: readonly Obj[],
  name: string,
): Record<string, string> | undefined {
  return ofKind(objects, 'Namespace').find((n) => n.metadata.name === name)?.metadata.labels;
}

/** Every namespace that holds App Mesh objects is selected by exactly one Mesh. */
export function namespacesInOneMesh(objects: readonly Obj[]): string[] {
  const meshes = ofKind(appMeshObjects(objects), 'Mesh');
  const namespaces = new Set(
    appMeshObjects(objects)
      .map((o) => o.metadata.namespace)
      .filter(Boolean),
  );
  return [...namespaces].flatMap((ns) => {
    const count = meshes.filter((m) =>
      matches(m.spec.namespaceSelector?.matchLabels, namespaceLabels(objects, ns)),
    ).length;
    return count === 1 ? [] : [`namespace ${ns}: matched by ${count} Meshes, must be exactly one`];
  });
}

/** Every GatewayRoute is selected by exactly one VirtualGateway. */
export function gatewayRoutesOnOneGateway(objects: readonly Obj[]): string[] {
  const gateways = ofKind(appMeshObjects(objects), 'VirtualGateway');
  return ofKind(appMeshObjects(objects), 'GatewayRoute').flatMap((route) => {
    const count = gateways.filter(
      (g) =>
        matches(
          g.spec.namespaceSelector?.matchLabels,
          namespaceLabels(objects, route.metadata.namespace),
        ) &&
        (g.spec.gatewayRouteSelector === undefined ||
          matches(g.spec.gatewayRouteSelector.matchLabels, route.metadata.labels)),
    ).length;
    return count === 1
      ? []
      : [`${label(route)}: matched by ${count} VirtualGateways, must be exactly one`];
  });
}
