import { Construct } from 'constructs';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as gatewayApi from '../../imports/gateway.networking.k8s.io';

export interface EdgeGatewayProps {
  /** Name of the Gateway. */
  readonly name: string;

  /** The namespace. */
  readonly namespace: string;

  /** The GatewayClass whose controller provisions the gateway's Envoy pods. */
  readonly gatewayClassName: string;

  /** The port clients reach on the gateway's LoadBalancer Service. */
  readonly port: number;
}

/** Name of the Gateway's HTTP listener, which routes attach to by `sectionName`. */
export const HTTP_LISTENER = 'http';

/**
 * The way in on Envoy Gateway: a Gateway API Gateway with one plain-HTTP listener that
 * accepts routes from its own namespace. Envoy Gateway answers it with an Envoy
 * Deployment and a LoadBalancer Service of its own, in its controller's namespace.
 */
export class EdgeGateway extends Construct {
  /** The Gateway's name. */
  readonly gatewayName: string;

  /** The listener's name. */
  readonly listenerName = HTTP_LISTENER;

  constructor(scope: Construct, id: string, props: EdgeGatewayProps) {
    super(scope, id);
    this.gatewayName = props.name;

    new gatewayApi.Gateway(this, 'Gateway', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        gatewayClassName: props.gatewayClassName,
        listeners: [{ name: this.listenerName, port: props.port, protocol: 'HTTP' }],
      },
    });
  }
}
