import { Construct } from 'constructs';
import { guard, isOn } from '../../config/conditions';
import { Compartment } from '../../constructs/compartment';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as istio from '../../imports/networking.istio.io';

export interface CompartmentRuleProps {
  /** The compartment whose Service the rule applies to. */
  readonly compartment: Compartment;

  /** The namespace. */
  readonly namespace: string;
}

const TRAFFIC_POLICY = '/spec/trafficPolicy';

/**
 * The Istio DestinationRule of a compartment: its connection pool is the breaker. The
 * calling Envoy enforces it, so the limits count per caller: for requests through the
 * ingress gateway, per gateway replica. `http2MaxRequests` caps requests in flight for
 * HTTP/1.1 as well, despite its name.
 */
export class CompartmentRule extends Construct {
  /** The host the rule applies to: the fully qualified name of the compartment's Service. */
  readonly host: string;

  constructor(scope: Construct, id: string, props: CompartmentRuleProps) {
    super(scope, id);
    const { compartment, namespace } = props;
    const { breaker, outlierDetection } = compartment.settings;
    this.host = serviceHost(compartment, namespace);

    const breakerOn = isOn(breaker.enabled);
    const outliersOn = isOn(outlierDetection.enabled);

    const rule = new istio.DestinationRule(this, 'Rule', {
      metadata: {
        name: compartment.name,
        namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        host: this.host,
        // Without breaker and outlier detection there is no policy at all, rather than {}.
        trafficPolicy:
          breakerOn.holds || outliersOn.holds
            ? {
                connectionPool: breakerOn.holds
                  ? {
                      tcp: { maxConnections: breaker.maxConnections },
                      http: {
                        http1MaxPendingRequests: breaker.maxPendingRequests,
                        http2MaxRequests: breaker.maxParallelRequests,
                      },
                    }
                  : undefined,
                outlierDetection: outliersOn.holds
                  ? {
                      consecutive5XxErrors: outlierDetection.maxServerErrors,
                      interval: `${outlierDetection.intervalSeconds}s`,
                      baseEjectionTime: `${outlierDetection.baseEjectionSeconds}s`,
                      maxEjectionPercent: outlierDetection.maxEjectionPercent,
                    }
                  : undefined,
              }
            : undefined,
      },
    });

    guard(rule, `${TRAFFIC_POLICY}/connectionPool`, breakerOn);
    guard(rule, `${TRAFFIC_POLICY}/outlierDetection`, outliersOn);
  }
}

/** The fully qualified DNS name of the compartment's Service. */
export function serviceHost(compartment: Compartment, namespace: string): string {
  return `${compartment.name}.${namespace}.svc.cluster.local`;
}
