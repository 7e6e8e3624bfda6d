import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { guard, isAbove } from '../../config/conditions';
import { Compartment, HTTP_PORT_NAME } from '../../constructs/compartment';
import {
  builtInAnnotations,
  customResourceAnnotations,
  objectLabels,
  SyncWave,
} from '../../constructs/metadata';
import * as appmesh from '../../imports/appmesh.k8s.aws';
import { SERVICE_PORT } from '../../service/contract';
import { CompartmentNode } from './virtual-node';

export interface PriceRouterProps {
  /** Name of the virtual service clients address, e.g. `price-service`. */
  readonly serviceName: string;

  /** Name of the virtual router. */
  readonly routerName: string;

  /** The namespace. */
  readonly namespace: string;

  /** The compartments to route to, each with its virtual node. */
  readonly targets: readonly {
    readonly compartment: Compartment;
    readonly node: CompartmentNode;
  }[];
}

/**
 * The routing half of the bulkhead: a VirtualService that clients address by DNS name,
 * provided by a VirtualRouter whose routes send each method and path to its compartment.
 * A Service without selector makes the DNS name resolve, which App Mesh needs: Envoy
 * intercepts the traffic, but the application must be able to look the name up first.
 */
export class PriceRouter extends Construct {
  /** The DNS name of the virtual service. */
  readonly hostname: string;

  constructor(scope: Construct, id: string, props: PriceRouterProps) {
    super(scope, id);
    const { namespace, routerName, serviceName } = props;
    this.hostname = `${serviceName}.${namespace}.svc.cluster.local`;

    new k8s.KubeService(this, 'Service', {
      metadata: {
        name: serviceName,
        namespace,
        labels: objectLabels(serviceName, 'virtual-service'),
        annotations: builtInAnnotations(SyncWave.WORKLOADS),
      },
      spec: { ports: [{ name: HTTP_PORT_NAME, port: SERVICE_PORT, appProtocol: 'http' }] },
    });

    const router = new appmesh.VirtualRouter(this, 'Router', {
      metadata: {
        name: routerName,
        namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        listeners: [
          {
            portMapping: {
              port: SERVICE_PORT,
              protocol: appmesh.VirtualRouterSpecListenersPortMappingProtocol.HTTP,
            },
          },
        ],
        routes: props.targets.map(({ compartment, node }) => routeTo(compartment, node)),
      },
    });
    props.targets.forEach(({ compartment }, index) => {
      guard(
        router,
        `/spec/routes/${index}/httpRoute/timeout`,
        isAbove(compartment.settings.timeout.perRequestMillis, 0),
      );
    });

    new appmesh.VirtualService(this, 'VirtualService', {
      metadata: {
        name: serviceName,
        namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        awsName: this.hostname,
        provider: { virtualRouter: { virtualRouterRef: { name: routerName } } },
      },
    });
  }
}

function routeTo(compartment: Compartment, node: CompartmentNode): appmesh.VirtualRouterSpecRoutes {
  const { route, timeout } = compartment.settings;
  const timed = isAbove(timeout.perRequestMillis, 0);
  return {
    name: `${compartment.name}-route`,
    httpRoute: {
      match: {
        prefix: route.pathPrefix,
        method: route.method as appmesh.VirtualRouterSpecRoutesHttpRouteMatchMethod,
      },
      action: { weightedTargets: [{ virtualNodeRef: { name: node.nodeName }, weight: 1 }] },
      timeout: timed.holds
        ? {
            perRequest: {
              unit: appmesh.VirtualRouterSpecRoutesHttpRouteTimeoutPerRequestUnit.MS,
              value: timeout.perRequestMillis,
            },
          }
        : undefined,
    },
  };
}
