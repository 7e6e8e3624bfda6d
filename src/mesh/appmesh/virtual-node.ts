import { Construct } from 'constructs';
import { guard, isAbove, isOn } from '../../config/conditions';
import { Compartment } from '../../constructs/compartment';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as appmesh from '../../imports/appmesh.k8s.aws';
import { HEALTH_PATH } from '../../service/contract';

export interface CompartmentNodeProps {
  /** The compartment the node stands for. */
  readonly compartment: Compartment;

  /** The namespace. */
  readonly namespace: string;
}

const LISTENER = '/spec/listeners/0';

/**
 * The App Mesh VirtualNode of a compartment. Its listener carries the breaker: the
 * connection-pool limits that Envoy enforces in front of the compartment's pods, so that
 * excess requests get a fast 503 instead of piling up in the compartment's memory.
 */
export class CompartmentNode extends Construct {
  /** The VirtualNode's name, `<compartment>-node`. */
  readonly nodeName: string;

  constructor(scope: Construct, id: string, props: CompartmentNodeProps) {
    super(scope, id);
    const { compartment, namespace } = props;
    const { breaker, outlierDetection, timeout } = compartment.settings;
    this.nodeName = `${compartment.name}-node`;

    const breakerOn = isOn(breaker.enabled);
    const outliersOn = isOn(outlierDetection.enabled);
    const timeoutSet = isAbove(timeout.perRequestMillis, 0);

    const node = new appmesh.VirtualNode(this, 'Node', {
      metadata: {
        name: this.nodeName,
        namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        podSelector: { matchLabels: compartment.selector },
        listeners: [
          {
            portMapping: {
              port: compartment.port,
              protocol: appmesh.VirtualNodeSpecListenersPortMappingProtocol.HTTP,
            },
            healthCheck: {
              protocol: appmesh.VirtualNodeSpecListenersHealthCheckProtocol.HTTP,
              path: HEALTH_PATH,
              healthyThreshold: 2,
              unhealthyThreshold: 2,
              timeoutMillis: 2000,
              intervalMillis: 5000,
            },
            connectionPool: breakerOn.holds
              ? {
                  http: {
                    maxConnections: breaker.maxConnections,
                    maxPendingRequests: breaker.maxPendingRequests,
                  },
                }
              : undefined,
            outlierDetection: outliersOn.holds
              ? {
                  maxServerErrors: outlierDetection.maxServerErrors,
                  interval: {
                    unit: appmesh.VirtualNodeSpecListenersOutlierDetectionIntervalUnit.S,
                    value: outlierDetection.intervalSeconds,
                  },
                  baseEjectionDuration: {
                    unit: appmesh.VirtualNodeSpecListenersOutlierDetectionBaseEjectionDurationUnit
                      .S,
                    value: outlierDetection.baseEjectionSeconds,
                  },
                  maxEjectionPercent: outlierDetection.maxEjectionPercent,
                }
              : undefined,
            timeout: timeoutSet.holds
              ? {
                  http: {
                    perRequest: {
                      unit: appmesh.VirtualNodeSpecListenersTimeoutHttpPerRequestUnit.MS,
                      value: timeout.perRequestMillis,
                    },
                  },
                }
              : undefined,
          },
        ],
        serviceDiscovery: {
          dns: { hostname: `${compartment.name}.${namespace}.svc.cluster.local` },
        },
      },
    });

    guard(node, `${LISTENER}/connectionPool`, breakerOn);
    guard(node, `${LISTENER}/outlierDetection`, outliersOn);
    guard(node, `${LISTENER}/timeout`, timeoutSet);
  }
}
