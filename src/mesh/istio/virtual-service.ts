import { Construct } from 'constructs';
import { guard, isAbove } from '../../config/conditions';
import { Compartment } from '../../constructs/compartment';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as istio from '../../imports/networking.istio.io';
import { serviceHost } from './destination-rule';

export interface PriceRoutesProps {
  /** Name of the VirtualService. */
  readonly name: string;

  /** The namespace. */
  readonly namespace: string;

  /** Name of the Gateway (same namespace) the routes are bound to. */
  readonly gatewayName: string;

  /** The compartments to route to, in matching order. */
  readonly compartments: readonly Compartment[];
}

/**
 * The routing half of the bulkhead on Istio: a VirtualService bound to the Gateway that
 * sends each compartment's method and path prefix to the compartment's Service, with the
 * compartment's per-request timeout when one is set.
 */
export class PriceRoutes extends Construct {
  constructor(scope: Construct, id: string, props: PriceRoutesProps) {
    super(scope, id);
    const { compartments, namespace } = props;

    const service = new istio.VirtualService(this, 'VirtualService', {
      metadata: {
        name: props.name,
        namespace,
        annotations: customResourceAnnotations(SyncWave.ROUTES),
      },
      spec: {
        hosts: ['*'],
        gateways: [props.gatewayName],
        http: compartments.map((compartment) => routeTo(compartment, namespace)),
      },
    });
    compartments.forEach((compartment, index) => {
      guard(service, `/spec/http/${index}/timeout`, timeoutSet(compartment));
    });
  }
}

function routeTo(compartment: Compartment, namespace: string): istio.VirtualServiceSpecHttp {
  const { route, timeout } = compartment.settings;
  return {
    name: compartment.name,
    match: [{ method: { exact: route.method }, uri: { prefix: route.pathPrefix } }],
    route: [
      {
        destination: {
          host: serviceHost(compartment, namespace),
          port: { number: compartment.port },
        },
      },
    ],
    timeout: timeoutSet(compartment).holds ? `${timeout.perRequestMillis}ms` : undefined,
  };
}

function timeoutSet(compartment: Compartment) {
  return isAbove(compartment.settings.timeout.perRequestMillis, 0);
}
