import { CompartmentSettings, Settings } from '../../config/settings';
import { READY_PATH } from '../../service/contract';
import { compartmentSettings } from '../model';

/** Where a process listens: a loopback address and a port. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export interface LocalGatewayProps {
  /** Every setting; the compartments' routes, breakers and timeouts come from here. */
  readonly settings: Settings;

  /** Where the gateway listens (the mesh's ingress gateway). */
  readonly listen: Endpoint;

  /** Where each compartment's process listens, by compartment name. */
  readonly compartments: Readonly<Record<string, Endpoint>>;

  /**
   * How often the gateway checks each compartment's readiness, in milliseconds.
   * @default 500
   */
  readonly checkIntervalMillis?: number;
}

/**
 * How long the gateway waits for a compartment's answer when the compartment sets no
 * per-request timeout, in milliseconds: longer than a load tester's usual 30 s.
 */
export const DEFAULT_SERVER_TIMEOUT_MILLIS = 60_000;

/** The header a breaker rejection carries, as Envoy marks its own overflow 503s. */
export const OVERLOADED_HEADER = 'x-envoy-overloaded';

/**
 * The local rendering of the mesh layer: an HAProxy configuration that routes and guards the
 * compartments the way the mesh objects do, for the lab on one machine.
 *
 * - Each compartment's route (method and path prefix, a string prefix as in Envoy) selects
 *   its backend; anything else is answered 404, as a mesh gateway without a route does.
 * - The breaker: at most `maxConnections` requests reach the compartment at once (`maxconn`
 *   of its one server); up to `maxPendingRequests` more wait in the backend's queue; any
 *   further request is answered 503 at once, like Envoy's pending-request overflow.
 * - A compartment that fails its readiness check, or resets a connection, is marked down
 *   and its requests are answered 503 at once until it is ready again.
 * - A per-request timeout becomes the backend's `timeout server`.
 *
 * Outlier detection and `maxParallelRequests` (HTTP/2 streams) have no local counterpart:
 * each compartment is one process, so there is no other host to eject it in favour of, and
 * the gateway speaks HTTP/1.1 to it.
 */
export function haproxyConfig(props: LocalGatewayProps): string {
  const compartments = compartmentSettings(props.settings).map((settings) => ({
    settings,
    endpoint: endpointOf(props.compartments, settings.name),
  }));
  const interval = props.checkIntervalMillis ?? 500;
  const sections = [
    header(),
    globalSection(),
    defaultsSection(),
    frontendSection(props.listen, compartments),
    ...compartments.map(({ settings, endpoint }) => backendSection(settings, endpoint, interval)),
  ];
  return sections.join('\n\n') + '\n';
}

function endpointOf(endpoints: Readonly<Record<string, Endpoint>>, name: string): Endpoint {
  const endpoint = endpoints[name];
  if (!endpoint) {
    const known = Object.keys(endpoints).join(', ') || 'none';
    throw new Error(`compartment '${name}' has no local endpoint (endpoints given: ${known})`);
  }
  return endpoint;
}

function header(): string {
  return lines(
    '# Rendered by Bulkhead from the compartment settings: the local rendering of the mesh.',
    '# Do not edit; change the settings and render again.',
  );
}

function globalSection(): string {
  // One thread keeps the breaker's queue check and the queueing itself in order.
  return lines('global', '  maxconn 4000', '  nbthread 1');
}

function defaultsSection(): string {
  return lines(
    'defaults',
    '  mode http',
    '  option http-keep-alive',
    '  timeout connect 1s',
    '  timeout client 60s',
    `  timeout server ${DEFAULT_SERVER_TIMEOUT_MILLIS}ms`,
    // Pending requests wait as long as Envoy lets them: until the request gives up.
    `  timeout queue ${DEFAULT_SERVER_TIMEOUT_MILLIS}ms`,
    '  retries 1',
  );
}

interface LocalCompartment {
  readonly settings: CompartmentSettings;
  readonly endpoint: Endpoint;
}

function frontendSection(listen: Endpoint, compartments: readonly LocalCompartment[]): string {
  const routes = compartments.flatMap(({ settings: { name, route } }) => [
    `  acl ${name}-route method ${route.method}`,
    `  acl ${name}-route-path path_beg ${route.pathPrefix}`,
    `  use_backend ${name} if ${name}-route ${name}-route-path`,
  ]);
  return lines(
    'frontend gateway',
    `  bind ${listen.host}:${listen.port}`,
    ...routes,
    '  default_backend no-route',
    '',
    'backend no-route',
    '  http-request return status 404 content-type text/plain string "no route"',
  );
}

function backendSection(
  settings: CompartmentSettings,
  endpoint: Endpoint,
  checkIntervalMillis: number,
): string {
  const { name, breaker, timeout } = settings;
  const rejection = breaker.enabled
    ? [
        `  http-request return status 503 content-type text/plain` +
          ` string "${name}: breaker open" hdr ${OVERLOADED_HEADER} true` +
          ` if { queue() ge ${breaker.maxPendingRequests} }`,
      ]
    : [];
  const limit = breaker.enabled ? ` maxconn ${breaker.maxConnections}` : '';
  const timed =
    timeout.perRequestMillis > 0 ? [`  timeout server ${timeout.perRequestMillis}ms`] : [];
  return lines(
    `backend ${name}`,
    `  option httpchk GET ${READY_PATH}`,
    '  http-check expect status 200',
    ...timed,
    ...rejection,
    `  server ${name} ${endpoint.host}:${endpoint.port}${limit}` +
      ` check inter ${checkIntervalMillis}ms fall 1 rise 1` +
      ' observe layer4 error-limit 1 on-error mark-down',
  );
}

function lines(...text: string[]): string {
  return text.join('\n');
}
