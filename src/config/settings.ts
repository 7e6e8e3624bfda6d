import {
  choice,
  ConfigOf,
  duration,
  flag,
  group,
  integer,
  name,
  path,
  quantity,
  text,
} from './schema';

/**
 * The one definition of every setting of the bulkhead system. The breaker limits come
 * first, because tuning them is what users do most. Keys are lowerCamelCase, as Helm
 * values are.
 */

/** What differs between the two compartments' defaults. */
interface CompartmentDefaults {
  readonly name: string;
  readonly method: 'GET' | 'POST';
  readonly maxConnections: number;
  readonly maxPendingRequests: number;
  readonly databaseDelay: string;
  readonly memoryLimit: string;
  readonly memoryRequest: string;
}

/** The settings of one compartment: its breaker, route, workload and resources. */
function compartment(summary: string, d: CompartmentDefaults) {
  return group(summary, {
    breaker: group('The circuit breaker in front of the compartment (connection-pool limits)', {
      enabled: flag({
        default: true,
        doc: 'Whether the breaker is on; off removes the connection-pool limits altogether',
      }),
      maxConnections: integer({
        default: d.maxConnections,
        unit: 'connections',
        min: 1,
        doc: 'Most concurrent connections (App Mesh, Istio) or requests in service',
      }),
      maxPendingRequests: integer({
        default: d.maxPendingRequests,
        unit: 'requests',
        min: 1,
        doc: 'Most requests queued while every connection is busy; beyond it, a fast 503',
      }),
      maxParallelRequests: integer({
        default: d.maxConnections,
        unit: 'requests',
        min: 1,
        doc: 'Most requests in flight at once (used by meshes that count requests separately)',
      }),
    }),
    outlierDetection: group('Ejects a pod from load balancing after repeated server errors', {
      enabled: flag({ default: false, doc: 'Whether outlier detection is on' }),
      maxServerErrors: integer({
        default: 5,
        unit: 'errors',
        min: 1,
        doc: 'Consecutive 5xx answers that eject a pod',
      }),
      intervalSeconds: integer({
        default: 10,
        unit: 'seconds',
        min: 1,
        doc: 'Time between two ejection sweeps',
      }),
      baseEjectionSeconds: integer({
        default: 30,
        unit: 'seconds',
        min: 1,
        doc: 'How long a pod stays ejected the first time (multiplied on repeats)',
      }),
      maxEjectionPercent: integer({
        default: 50,
        unit: 'percent',
        min: 0,
        max: 100,
        doc: 'Largest share of pods that may be ejected at once',
      }),
    }),
    timeout: group('Per-request timeout at the mesh', {
      perRequestMillis: integer({
        default: 0,
        unit: 'milliseconds',
        min: 0,
        // Envoy Gateway's durations take at most five digits.
        max: 99_999,
        doc: "A request's time limit at the mesh; 0 keeps the mesh's default",
      }),
    }),
    name: name({ default: d.name, doc: 'Name of the Deployment, Service and mesh objects' }),
    route: group('Which requests the mesh sends to this compartment', {
      method: choice({
        default: d.method,
        choices: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
        doc: 'HTTP method of the route',
      }),
      pathPrefix: path({ default: '/price', doc: 'Path prefix of the route' }),
    }),
    replicas: integer({
      default: 1,
      unit: 'pods',
      min: 0,
      doc: 'Pods in the compartment; above 1 a PodDisruptionBudget keeps all but one up',
    }),
    databaseDelay: duration({
      default: d.databaseDelay,
      doc: 'Simulated database latency of a write (DATABASE_DELAY), e.g. 5s or 250ms',
    }),
    writeWorkingMemory: quantity({
      default: '1Mi',
      doc: 'Working memory each in-flight write holds (WRITE_WORKING_MEMORY)',
    }),
    terminationGracePeriodSeconds: integer({
      default: 30,
      unit: 'seconds',
      min: 1,
      doc: 'Time a stopping pod gets to finish in-flight writes; must exceed databaseDelay',
    }),
    resources: group('Compute resources of the price container', {
      requests: group('What the scheduler reserves', {
        cpu: quantity({ default: '50m', doc: 'CPU reserved for the price container' }),
        memory: quantity({
          default: d.memoryRequest,
          doc: 'Memory reserved for the price container',
        }),
      }),
      limits: group('What the container may use at most; above the memory limit it is killed', {
        cpu: quantity({ default: '500m', doc: 'Most CPU the container may use (throttled above)' }),
        memory: quantity({
          default: d.memoryLimit,
          doc: 'Most memory the container may use (OOM-killed above)',
        }),
      }),
    }),
  });
}

/** The whole settings tree. */
export const SETTINGS = group('Settings of the bulkhead system', {
  priceWrite: compartment('The write compartment: slow POST /price, guarded by a tight breaker', {
    name: 'price-write',
    method: 'POST',
    maxConnections: 20,
    maxPendingRequests: 5,
    databaseDelay: '5s',
    memoryLimit: '128Mi',
    memoryRequest: '96Mi',
  }),
  priceRead: compartment('The read compartment: cheap GET /price/{id} from the cache', {
    name: 'price-read',
    method: 'GET',
    maxConnections: 100,
    maxPendingRequests: 100,
    databaseDelay: '0s',
    memoryLimit: '128Mi',
    memoryRequest: '96Mi',
  }),
  namespace: group('The namespace that holds every object but the Mesh', {
    name: name({ default: 'bulkhead-pattern', doc: 'Name of the namespace' }),
  }),
  mesh: group('The service mesh that routes to the compartments and enforces the breakers', {
    provider: choice({
      default: 'appmesh',
      choices: ['appmesh', 'istio', 'envoy-gateway'],
      doc: 'Which mesh renders the routing and breakers (App Mesh, Istio or Envoy Gateway)',
    }),
    name: name({ default: 'bulkhead-pattern', doc: 'Name of the App Mesh Mesh (cluster-scoped)' }),
    serviceName: name({
      default: 'price-service',
      doc: 'Name of the virtual service that clients and the gateway address',
    }),
    routerName: name({ default: 'price-router', doc: 'Name of the virtual router' }),
    istio: group('Settings that only the istio provider reads', {
      gatewaySelectorKey: text({
        default: 'istio',
        pattern: '^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$',
        rule: 'must be a label key',
        doc: 'Label key that selects the Istio ingress gateway pods',
      }),
      gatewaySelectorValue: text({
        default: 'ingressgateway',
        pattern: '^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$',
        rule: 'must be a label value',
        doc: 'Label value that selects the Istio ingress gateway pods',
      }),
    }),
    envoyGateway: group('Settings that only the envoy-gateway provider reads', {
      gatewayClassName: name({
        default: 'eg',
        doc: 'GatewayClass of the Gateway (the one Envoy Gateway installs is `eg`)',
      }),
    }),
  }),
  gateway: group('The ingress gateway behind a LoadBalancer', {
    name: name({
      default: 'ingress-gw',
      doc: 'Name of the gateway Deployment, Service and mesh object',
    }),
    routeName: name({ default: 'gateway-route-paths', doc: 'Name of the gateway route' }),
    replicas: integer({ default: 1, unit: 'pods', min: 1, doc: 'Gateway pods' }),
    listenerPort: integer({
      default: 8088,
      unit: 'port',
      min: 1,
      max: 65535,
      doc: 'Port the gateway listens on inside the pod',
    }),
    servicePort: integer({
      default: 80,
      unit: 'port',
      min: 1,
      max: 65535,
      doc: 'Port of the LoadBalancer Service',
    }),
    serviceType: choice({
      default: 'LoadBalancer',
      choices: ['LoadBalancer', 'NodePort', 'ClusterIP'],
      doc: 'Type of the gateway Service',
    }),
  }),
  image: group('The price image both compartments run', {
    repository: text({
      default: 'bulkhead-pattern/price-app',
      pattern: '^[a-z0-9][a-z0-9._/:-]*[a-z0-9]$',
      rule: 'must be an image repository such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/price-app',
      doc: 'Image repository (the ECR repository URI after `image:push`)',
    }),
    tag: text({
      default: '0.1.0',
      pattern: '^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$',
      rule: 'must be an image tag (letters, digits, _ . -, at most 128 characters)',
      doc: 'Image tag; ignored when a digest is set',
    }),
    digest: text({
      default: '',
      optional: true,
      pattern: '^sha256:[a-f0-9]{64}$',
      rule: "must be 'sha256:' followed by 64 hex digits",
      doc: 'Image digest; when set, the image is pulled by digest',
    }),
    pullPolicy: choice({
      default: 'IfNotPresent',
      choices: ['IfNotPresent', 'Always', 'Never'],
      doc: 'When the kubelet pulls the image',
    }),
  }),
  loadTester: group('The Vegeta pod for load tests from inside the cluster', {
    enabled: flag({ default: true, doc: 'Whether the Vegeta Deployment is rendered' }),
    name: name({ default: 'vegeta', doc: 'Name of the Vegeta Deployment' }),
    image: text({
      default: 'peterevans/vegeta:6.9.1',
      pattern: '^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_.-]+|@sha256:[a-f0-9]{64})$',
      rule: 'must be a pinned image reference (repository:tag or repository@sha256:digest)',
      doc: 'Vegeta image, pinned',
    }),
  }),
});

/** The settings of the whole system, as the constructs receive them. */
export type Settings = ConfigOf<typeof SETTINGS>;

/** The settings of one compartment. */
export type CompartmentSettings = Settings['priceWrite'];
