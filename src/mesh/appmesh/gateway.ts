import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-27';
import { Settings } from '../../config/settings';
import {
  builtInAnnotations,
  customResourceAnnotations,
  objectLabels,
  selectorLabels,
  SyncWave,
} from '../../constructs/metadata';
import * as appmesh from '../../imports/appmesh.k8s.aws';

export interface IngressGatewayProps {
  /** The gateway settings: names, ports, replicas, Service type. */
  readonly gateway: Settings['gateway'];

  /** The namespace. */
  readonly namespace: string;

  /** The label that puts the namespace under this gateway, `gateway: <value>`. */
  readonly namespaceLabel: string;

  /** Name of the virtual service every request is sent to. */
  readonly serviceName: string;
}

/** The image name that tells the App Mesh controller to put its own Envoy in the container. */
const CONTROLLER_OVERRIDE = 'controller-override';

/**
 * The way in: a VirtualGateway whose Envoy pods run as Deployment behind a Service of
 * type LoadBalancer, and a GatewayRoute that sends every path to the virtual service.
 * The route matches the prefix `/`: a gateway route rewrites its matched prefix to `/`
 * before the router sees the request, so a narrower prefix would hide `/price`.
 */
export class IngressGateway extends Construct {
  constructor(scope: Construct, id: string, props: IngressGatewayProps) {
    super(scope, id);
    const { gateway, namespace } = props;
    const selector = selectorLabels(gateway.name);

    new appmesh.VirtualGateway(this, 'VirtualGateway', {
      metadata: {
        name: gateway.name,
        namespace,
        annotations: customResourceAnnotations(SyncWave.MESH_OBJECTS),
      },
      spec: {
        namespaceSelector: { matchLabels: { gateway: props.namespaceLabel } },
        podSelector: { matchLabels: selector },
        listeners: [
          {
            portMapping: {
              port: gateway.listenerPort,
              protocol: appmesh.VirtualGatewaySpecListenersPortMappingProtocol.HTTP,
            },
          },
        ],
      },
    });

    new appmesh.GatewayRoute(this, 'Route', {
      metadata: {
        name: gateway.routeName,
        namespace,
        annotations: customResourceAnnotations(SyncWave.ROUTES),
      },
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            target: { virtualService: { virtualServiceRef: { name: props.serviceName } } },
          },
        },
      },
    });

    const labels = objectLabels(gateway.name, 'gateway');
    new k8s.KubeDeployment(this, 'Deployment', {
      metadata: {
        name: gateway.name,
        namespace,
        labels,
        annotations: builtInAnnotations(SyncWave.WORKLOADS),
      },
      spec: {
        replicas: gateway.replicas,
        selector: { matchLabels: selector },
        template: {
          metadata: { labels },
          spec: {
            // The controller replaces this container with its Envoy and its own settings.
            containers: [
              {
                name: 'envoy',
                image: CONTROLLER_OVERRIDE,
                ports: [{ name: 'http', containerPort: gateway.listenerPort, protocol: 'TCP' }],
              },
            ],
          },
        },
      },
    });

    new k8s.KubeService(this, 'Service', {
      metadata: {
        name: gateway.name,
        namespace,
        labels,
        annotations: builtInAnnotations(SyncWave.WORKLOADS),
      },
      spec: {
        type: gateway.serviceType,
        selector,
        ports: [
          {
            name: 'http',
            port: gateway.servicePort,
            targetPort: k8s.IntOrString.fromNumber(gateway.listenerPort),
            protocol: 'TCP',
          },
        ],
      },
    });
  }
}
