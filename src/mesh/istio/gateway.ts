import { Construct } from 'constructs';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as istio from '../../imports/networking.istio.io';

export interface IstioIngressProps {
  /** Name of the Gateway object, which the VirtualService binds to. */
  readonly name: string;

  /** The namespace. */
  readonly namespace: string;

  /** The pod labels of the ingress gateway that serves this Gateway. */
  readonly selector: Record<string, string>;

  /** The port clients reach, which must be a port of the ingress gateway's Service. */
  readonly port: number;
}

/** Name of the Gateway's only server port. */
export const HTTP_SERVER = 'http';

/**
 * The way in on Istio: a Gateway that opens plain HTTP on the ingress gateway's port for
 * every host. The ingress gateway itself (Deployment and LoadBalancer Service) belongs to
 * the Istio installation; the Gateway only selects its pods by label.
 */
export class IstioIngress extends Construct {
  /** The Gateway's name. */
  readonly gatewayName: string;

  constructor(scope: Construct, id: string, props: IstioIngressProps) {
    super(scope, id);
    this.gatewayName = props.name;

    new istio.Gateway(this, 'Gateway', {
      metadata: {
        name: props.name,
        namespace: props.namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        selector: props.selector,
        servers: [
          { port: { number: props.port, name: HTTP_SERVER, protocol: 'HTTP' }, hosts: ['*'] },
        ],
      },
    });
  }
}
