import { Construct } from 'constructs';
import { guard, isAbove, isOn } from '../../config/conditions';
import { Compartment } from '../../constructs/compartment';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as envoyGateway from '../../imports/gateway.envoyproxy.io';
import { PriceRoute, ruleName } from './http-route';

export interface CompartmentPolicyProps {
  /** The compartment whose route rule the policy applies to. */
  readonly compartment: Compartment;

  /** The namespace. */
  readonly namespace: string;

  /** The HTTPRoute that holds the compartment's rule. */
  readonly route: PriceRoute;
}

/** The API group of the Gateway API, which every policy target belongs to. */
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/**
 * The Envoy Gateway BackendTrafficPolicy of a compartment, attached to its rule of the
 * HTTPRoute. It carries the breaker (circuitBreaker), outlier detection (a passive
 * health check) and the per-request timeout. The gateway's Envoy enforces them, so the
 * limits count per gateway replica.
 *
 * Envoy Gateway takes durations of at most five digits per unit, so the timeout is
 * rendered as `<perRequestMillis>ms` and holds up to 99999 ms.
 */
export class CompartmentPolicy extends Construct {
  constructor(scope: Construct, id: string, props: CompartmentPolicyProps) {
    super(scope, id);
    const { compartment, namespace } = props;
    const { breaker, outlierDetection, timeout } = compartment.settings;

    const breakerOn = isOn(breaker.enabled);
    const outliersOn = isOn(outlierDetection.enabled);
    const timeoutSet = isAbove(timeout.perRequestMillis, 0);

    const policy = new envoyGateway.BackendTrafficPolicy(this, 'Policy', {
      metadata: {
        name: compartment.name,
        namespace,
        annotations: customResourceAnnotations(SyncWave.ROUTES),
      },
      spec: {
        targetRefs: [
          {
            group: GATEWAY_API_GROUP,
            kind: 'HTTPRoute',
            name: props.route.routeName,
            sectionName: ruleName(compartment),
          },
        ],
        circuitBreaker: breakerOn.holds
          ? {
              maxConnections: breaker.maxConnections,
              maxPendingRequests: breaker.maxPendingRequests,
              maxParallelRequests: breaker.maxParallelRequests,
            }
          : undefined,
        healthCheck: outliersOn.holds
          ? {
              passive: {
                consecutive5XxErrors: outlierDetection.maxServerErrors,
                interval: `${outlierDetection.intervalSeconds}s`,
                baseEjectionTime: `${outlierDetection.baseEjectionSeconds}s`,
                maxEjectionPercent: outlierDetection.maxEjectionPercent,
              },
            }
          : undefined,
        timeout: timeoutSet.holds
          ? { http: { requestTimeout: `${timeout.perRequestMillis}ms` } }
          : undefined,
      },
    });

    guard(policy, '/spec/circuitBreaker', breakerOn);
    guard(policy, '/spec/healthCheck', outliersOn);
    guard(policy, '/spec/timeout', timeoutSet);
  }
}
