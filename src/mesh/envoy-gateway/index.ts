import { Construct } from 'constructs';
import { BulkheadModel, MeshRendering } from '../model';
import { EdgeGateway } from './gateway';
import { PriceRoute } from './http-route';
import { CompartmentPolicy } from './traffic-policy';

/**
 * The bulkhead on Envoy Gateway (Gateway API `gateway.networking.k8s.io/v1` and
 * `gateway.envoyproxy.io/v1alpha1`): a Gateway on the configured GatewayClass, an
 * HTTPRoute with one named rule per compartment, and a BackendTrafficPolicy per rule that
 * carries the compartment's breaker.
 *
 * There are no sidecars: the gateway's Envoy is the only proxy, so the namespace needs no
 * label and no pod needs to opt out, and the limits guard only traffic that comes in
 * through the gateway. Of the gateway settings, `gateway.name` names the Gateway and
 * `gateway.servicePort` its listener port; `mesh.routerName` names the HTTPRoute. The
 * gateway's replicas are Envoy Gateway's to set (its EnvoyProxy resource).
 */
export class EnvoyGatewayRendering implements MeshRendering {
  namespaceLabels(): Record<string, string> {
    return {};
  }

  outsideMeshAnnotations(): Record<string, string> {
    return {};
  }

  render(scope: Construct, model: BulkheadModel): void {
    const { settings, namespace } = model;

    const gateway = new EdgeGateway(scope, 'Gateway', {
      name: settings.gateway.name,
      namespace,
      gatewayClassName: settings.mesh.envoyGateway.gatewayClassName,
      port: settings.gateway.servicePort,
    });

    const route = new PriceRoute(scope, 'Routes', {
      name: settings.mesh.routerName,
      namespace,
      gateway,
      compartments: model.compartments,
    });

    for (const compartment of model.compartments) {
      new CompartmentPolicy(scope, `${compartment.node.id}Policy`, {
        compartment,
        namespace,
        route,
      });
    }
  }
}
