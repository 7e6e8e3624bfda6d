import { Construct } from 'constructs';
import { Settings } from '../../config/settings';
import { BulkheadModel, MeshRendering } from '../model';
import { CompartmentRule } from './destination-rule';
import { IstioIngress } from './gateway';
import { PriceRoutes } from './virtual-service';

/** The namespace label that turns on Istio's sidecar injection. */
const INJECTION_LABEL = 'istio-injection';

/** The pod annotation that keeps one pod out of the injection. */
const INJECT_ANNOTATION = 'sidecar.istio.io/inject';

/**
 * The bulkhead on Istio (`networking.istio.io/v1`) with sidecars: a Gateway on the
 * ingress gateway that Istio installs, a VirtualService that routes by method and path,
 * and a DestinationRule per compartment carrying its breaker.
 *
 * The breaker is counted where the request leaves, in the calling Envoy, not in front of
 * the compartment's pods as on App Mesh: each ingress gateway replica allows the full
 * limits on its own. Of the gateway settings, only `gateway.name` (the Gateway) and
 * `gateway.servicePort` (its server port) apply; the mesh names of App Mesh
 * (`mesh.name`, `mesh.serviceName`) do not, and `mesh.routerName` names the VirtualService.
 */
export class IstioRendering implements MeshRendering {
  namespaceLabels(): Record<string, string> {
    return { [INJECTION_LABEL]: 'enabled' };
  }

  outsideMeshAnnotations(): Record<string, string> {
    return { [INJECT_ANNOTATION]: 'false' };
  }

  render(scope: Construct, model: BulkheadModel): void {
    const { settings, namespace } = model;

    for (const compartment of model.compartments) {
      new CompartmentRule(scope, `${compartment.node.id}Rule`, { compartment, namespace });
    }

    const ingress = new IstioIngress(scope, 'Gateway', {
      name: settings.gateway.name,
      namespace,
      selector: gatewaySelector(settings.mesh.istio),
      port: settings.gateway.servicePort,
    });

    new PriceRoutes(scope, 'Routes', {
      name: settings.mesh.routerName,
      namespace,
      gatewayName: ingress.gatewayName,
      compartments: model.compartments,
    });
  }
}

function gatewaySelector(istio: Settings['mesh']['istio']): Record<string, string> {
  return { [istio.gatewaySelectorKey]: istio.gatewaySelectorValue };
}
