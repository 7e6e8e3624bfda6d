import { Construct } from 'constructs';
import { Settings } from '../../config/settings';
import { customResourceAnnotations, SyncWave } from '../../constructs/metadata';
import * as appmesh from '../../imports/appmesh.k8s.aws';
import { BulkheadModel, MeshRendering } from '../model';
import { IngressGateway } from './gateway';
import { PriceRouter } from './router';
import { CompartmentNode } from './virtual-node';

/** The label the App Mesh sidecar injector looks for on a namespace or pod. */
const INJECTOR_LABEL = 'appmesh.k8s.aws/sidecarInjectorWebhook';

/** The value of the namespace's `gateway` label, which the VirtualGateway selects. */
function gatewayLabel(settings: Settings): string {
  return `${settings.gateway.name}-${settings.namespace.name}`;
}

/**
 * The bulkhead on AWS App Mesh (`appmesh.k8s.aws/v1beta2`): a Mesh that takes in the
 * namespace, a virtual node per compartment carrying its breaker, a router that splits by
 * method and path, and an ingress gateway. App Mesh reached end of support on 2026-09-30;
 * the rendering stays for clusters that still run its controller.
 *
 * No object sets `spec.meshRef` or a gateway route's `virtualGatewayRef`: the controller
 * fills them in from the namespace selectors, and refuses objects that set them.
 */
export class AppMeshRendering implements MeshRendering {
  namespaceLabels(settings: Settings): Record<string, string> {
    return {
      mesh: settings.mesh.name,
      gateway: gatewayLabel(settings),
      [INJECTOR_LABEL]: 'enabled',
    };
  }

  outsideMeshAnnotations(): Record<string, string> {
    return { [INJECTOR_LABEL]: 'disabled' };
  }

  render(scope: Construct, model: BulkheadModel): void {
    const { settings, namespace } = model;

    new appmesh.Mesh(scope, 'Mesh', {
      metadata: { name: settings.mesh.name, annotations: customResourceAnnotations(SyncWave.MESH) },
      spec: { namespaceSelector: { matchLabels: { mesh: settings.mesh.name } } },
    });

    const targets = model.compartments.map((compartment) => ({
      compartment,
      node: new CompartmentNode(scope, `${compartment.node.id}Node`, { compartment, namespace }),
    }));

    new PriceRouter(scope, 'Router', {
      serviceName: settings.mesh.serviceName,
      routerName: settings.mesh.routerName,
      namespace,
      targets,
    });

    new IngressGateway(scope, 'Gateway', {
      gateway: settings.gateway,
      namespace,
      namespaceLabel: gatewayLabel(settings),
      serviceName: settings.mesh.serviceName,
    });
  }
}
