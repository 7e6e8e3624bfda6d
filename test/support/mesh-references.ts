import { find, Obj, ofKind } from './objects';

/**
 * Cross-reference checks for the Istio and Envoy Gateway renderings: routes reach
 * Services and their ports, the routes bind to a gateway that exists, every compartment
 * route has its breaker object, and nothing of App Mesh is left behind. Each function
 * returns problems, one sentence each; empty means consistent. The Helm tests run the same
 * functions over what helm renders.
 */

const ISTIO = 'networking.istio.io/v1';
const GATEWAY_API = 'gateway.networking.k8s.io';
const ENVOY_GATEWAY = 'gateway.envoyproxy.io/v1alpha1';
const APP_MESH = 'appmesh.k8s.aws';

function label(o: Obj): string {
  return `${o.kind} ${o.metadata.name}`;
}

function ofApi(objects: readonly Obj[], apiVersion: string, kind: string): Obj[] {
  return ofKind(objects, kind).filter((o) => o.apiVersion === apiVersion);
}

/** The Service an Istio host names: `name.namespace.svc.cluster.local` or a short name. */
function serviceOfHost(objects: readonly Obj[], host: string, namespace: string): Obj | undefined {
  const fqdn = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(host);
  if (fqdn) return find(objects, 'Service', fqdn[1], fqdn[2]);
  return host.includes('.') ? undefined : find(objects, 'Service', host, namespace);
}

function hasPort(service: Obj, port: number | undefined): boolean {
  return service.spec.ports.some((p: Obj) => p.port === port);
}

// --- Istio ---------------------------------------------------------------------------

/** Every check of the Istio rendering. */
export function istioReferenceProblems(objects: readonly Obj[]): string[] {
  return [
    ...istioRoutesReachServices(objects),
    ...virtualServicesBindToGateways(objects),
    ...destinationRulesNameServices(objects),
    ...routedHostsHaveRules(objects),
    ...appMeshLeftovers(objects),
    ...istioInjection(objects),
  ];
}

/** Each VirtualService destination names an existing Service and one of its ports. */
export function istioRoutesReachServices(objects: readonly Obj[]): string[] {
  return ofApi(objects, ISTIO, 'VirtualService').flatMap((vs) =>
    (vs.spec.http ?? []).flatMap((route: Obj) =>
      (route.route ?? []).flatMap(({ destination }: Obj) => {
        const service = serviceOfHost(objects, destination.host, vs.metadata.namespace);
        const where = `${label(vs)} route ${route.name}`;
        if (!service) return [`${where}: destination host '${destination.host}' has no Service`];
        const port = destination.port?.number;
        return hasPort(service, port)
          ? []
          : [`${where}: Service ${service.metadata.name} has no port ${port}`];
      }),
    ),
  );
}

/**
 * Each VirtualService names gateways that exist in its namespace, and each such Gateway
 * has a server whose hosts take the VirtualService's hosts.
 */
export function virtualServicesBindToGateways(objects: readonly Obj[]): string[] {
  return ofApi(objects, ISTIO, 'VirtualService').flatMap((vs) => {
    const names: string[] = vs.spec.gateways ?? [];
    if (names.length === 0) return [`${label(vs)}: is bound to no Gateway`];
    return names.flatMap((name) => {
      const gateway = ofApi(objects, ISTIO, 'Gateway').find(
        (g) => g.metadata.name === name && g.metadata.namespace === vs.metadata.namespace,
      );
      if (!gateway) return [`${label(vs)}: Gateway '${name}' does not exist`];
      const hosts: string[] = gateway.spec.servers.flatMap((s: Obj) => s.hosts);
      const open = (vs.spec.hosts as string[]).filter(
        (h) => !hosts.includes('*') && !hosts.includes(h),
      );
      return open.map((h) => `${label(vs)}: Gateway ${name} serves no host '${h}'`);
    });
  });
}

/** Each DestinationRule's host names an existing Service. */
export function destinationRulesNameServices(objects: readonly Obj[]): string[] {
  return ofApi(objects, ISTIO, 'DestinationRule')
    .filter((dr) => !serviceOfHost(objects, dr.spec.host, dr.metadata.namespace))
    .map((dr) => `${label(dr)}: host '${dr.spec.host}' has no Service`);
}

/** Every host a VirtualService routes to has a DestinationRule, which carries its breaker. */
export function routedHostsHaveRules(objects: readonly Obj[]): string[] {
  const ruled = new Set(ofApi(objects, ISTIO, 'DestinationRule').map((dr) => dr.spec.host));
  return ofApi(objects, ISTIO, 'VirtualService').flatMap((vs) =>
    (vs.spec.http ?? []).flatMap((route: Obj) =>
      (route.route ?? [])
        .filter(({ destination }: Obj) => !ruled.has(destination.host))
        .map(
          ({ destination }: Obj) =>
            `${label(vs)} route ${route.name}: host '${destination.host}' has no DestinationRule`,
        ),
    ),
  );
}

/** The namespace turns on injection, and the load tester's pods opt out of it. */
export function istioInjection(objects: readonly Obj[]): string[] {
  const namespaces = ofKind(objects, 'Namespace')
    .filter((ns) => ns.metadata.labels?.['istio-injection'] !== 'enabled')
    .map((ns) => `${label(ns)}: lacks the label istio-injection: enabled`);
  const testers = ofKind(objects, 'Deployment')
    .filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === 'load-tester')
    .filter((d) => d.spec.template.metadata?.annotations?.['sidecar.istio.io/inject'] !== 'false')
    .map((d) => `${label(d)}: pods lack the annotation sidecar.istio.io/inject: "false"`);
  return [...namespaces, ...testers];
}

// --- Envoy Gateway -------------------------------------------------------------------

/** Every check of the Envoy Gateway rendering. */
export function envoyGatewayReferenceProblems(objects: readonly Obj[]): string[] {
  return [
    ...routesAttachToListeners(objects),
    ...routeBackendsReachServices(objects),
    ...policiesTargetRules(objects),
    ...rulesHavePolicies(objects),
    ...appMeshLeftovers(objects),
  ];
}

/** Each HTTPRoute parent is a Gateway that exists and has the named HTTP listener. */
export function routesAttachToListeners(objects: readonly Obj[]): string[] {
  return httpRoutes(objects).flatMap((route) =>
    (route.spec.parentRefs ?? []).flatMap((ref: Obj) => {
      const ns = ref.namespace ?? route.metadata.namespace;
      const gateway = ofApi(objects, `${GATEWAY_API}/v1`, 'Gateway').find(
        (g) => g.metadata.name === ref.name && g.metadata.namespace === ns,
      );
      if (!gateway) return [`${label(route)}: parent Gateway '${ref.name}' does not exist`];
      const listeners: Obj[] = gateway.spec.listeners.filter(
        (l: Obj) => ref.sectionName === undefined || l.name === ref.sectionName,
      );
      if (listeners.length === 0)
        return [`${label(route)}: Gateway ${ref.name} has no listener '${ref.sectionName}'`];
      return listeners.some((l) => l.protocol === 'HTTP')
        ? []
        : [`${label(route)}: Gateway ${ref.name} has no HTTP listener to attach to`];
    }),
  );
}

/** Each rule's backends name existing Services in the route's namespace, on their ports. */
export function routeBackendsReachServices(objects: readonly Obj[]): string[] {
  return httpRoutes(objects).flatMap((route) =>
    (route.spec.rules ?? []).flatMap((rule: Obj) =>
      (rule.backendRefs ?? []).flatMap((ref: Obj) => {
        const where = `${label(route)} rule ${rule.name}`;
        const service = find(
          objects,
          'Service',
          ref.name,
          ref.namespace ?? route.metadata.namespace,
        );
        if (!service) return [`${where}: backend Service '${ref.name}' does not exist`];
        return hasPort(service, ref.port)
          ? []
          : [`${where}: Service ${ref.name} has no port ${ref.port}`];
      }),
    ),
  );
}

/** Each BackendTrafficPolicy targets a rule, by sectionName, of an HTTPRoute that exists. */
export function policiesTargetRules(objects: readonly Obj[]): string[] {
  return ofApi(objects, ENVOY_GATEWAY, 'BackendTrafficPolicy').flatMap((policy) =>
    (policy.spec.targetRefs ?? []).flatMap((ref: Obj) => {
      if (ref.group !== GATEWAY_API || ref.kind !== 'HTTPRoute')
        return [`${label(policy)}: targets ${ref.group}/${ref.kind}, not an HTTPRoute`];
      const route = httpRoutes(objects).find(
        (r) => r.metadata.name === ref.name && r.metadata.namespace === policy.metadata.namespace,
      );
      if (!route) return [`${label(policy)}: HTTPRoute '${ref.name}' does not exist`];
      if (ref.sectionName === undefined)
        return [`${label(policy)}: targets all of HTTPRoute ${ref.name}, not one rule`];
      return ruleNames(route).includes(ref.sectionName)
        ? []
        : [`${label(policy)}: HTTPRoute ${ref.name} has no rule '${ref.sectionName}'`];
    }),
  );
}

/** Each HTTPRoute rule is named, uniquely, and exactly one policy (its breaker) targets it. */
export function rulesHavePolicies(objects: readonly Obj[]): string[] {
  const targets = ofApi(objects, ENVOY_GATEWAY, 'BackendTrafficPolicy').flatMap((p) =>
    (p.spec.targetRefs ?? [])
      .filter((ref: Obj) => ref.group === GATEWAY_API && ref.kind === 'HTTPRoute')
      .map((ref: Obj) => `${p.metadata.namespace}/${ref.name}/${ref.sectionName}`),
  );
  return httpRoutes(objects).flatMap((route) => {
    const names = ruleNames(route);
    if (names.some((n) => n === undefined)) return [`${label(route)}: has a rule without name`];
    return names.flatMap((name, index) => {
      if (names.indexOf(name) !== index) return [`${label(route)}: rule name '${name}' repeats`];
      const key = `${route.metadata.namespace}/${route.metadata.name}/${name}`;
      const count = targets.filter((t) => t === key).length;
      return count === 1
        ? []
        : [`${label(route)} rule ${name}: ${count} BackendTrafficPolicies target it, not 1`];
    });
  });
}

function httpRoutes(objects: readonly Obj[]): Obj[] {
  return ofApi(objects, `${GATEWAY_API}/v1`, 'HTTPRoute');
}

function ruleNames(route: Obj): string[] {
  return (route.spec.rules ?? []).map((rule: Obj) => rule.name);
}

// --- for both --------------------------------------------------------------------------

/** The namespace labels that App Mesh's Mesh and VirtualGateway select namespaces by. */
const APP_MESH_NAMESPACE_LABELS = ['mesh', 'gateway'];

/** No App Mesh object, and no App Mesh label or annotation on any object or pod template. */
export function appMeshLeftovers(objects: readonly Obj[]): string[] {
  return objects.flatMap((o) => {
    if (String(o.apiVersion).startsWith(`${APP_MESH}/`))
      return [`${label(o)}: is an App Mesh object`];
    const metadata = [o.metadata, o.spec?.template?.metadata].filter((m) => m !== undefined);
    const keys = metadata.flatMap((m: Obj) => [
      ...Object.keys(m.labels ?? {}),
      ...Object.keys(m.annotations ?? {}),
    ]);
    const selectors = o.kind === 'Namespace' ? APP_MESH_NAMESPACE_LABELS : [];
    return keys
      .filter((key) => key.startsWith(`${APP_MESH}/`) || selectors.includes(key))
      .map((key) => `${label(o)}: carries the App Mesh key '${key}'`);
  });
}

/** The objects of the compartments: their Deployments, Services and PodDisruptionBudgets. */
export function compartmentObjects(objects: readonly Obj[]): Obj[] {
  return objects.filter(
    (o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'compartment',
  );
}

/**
 * How the compartments of `objects` differ from those of `reference` (another provider's
 * render of the same settings): only the mesh layer may change between providers.
 */
export function compartmentDifferences(
  objects: readonly Obj[],
  reference: readonly Obj[],
): string[] {
  const key = (o: Obj) => `${o.kind} ${o.metadata.name}`;
  const ours = new Map(compartmentObjects(objects).map((o) => [key(o), JSON.stringify(o)]));
  const theirs = new Map(compartmentObjects(reference).map((o) => [key(o), JSON.stringify(o)]));
  const names = [...new Set([...theirs.keys(), ...ours.keys()])];
  return names.flatMap((name) => {
    if (!ours.has(name)) return [`${name}: missing`];
    if (!theirs.has(name)) return [`${name}: not in the reference`];
    return ours.get(name) === theirs.get(name) ? [] : [`${name}: differs from the reference`];
  });
}
