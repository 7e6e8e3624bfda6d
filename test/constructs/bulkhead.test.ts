import { get } from '../support/objects';
import { render } from '../support/render';

describe('BulkheadChart', () => {
  test('renders every object of the system in rollout order', () => {
    expect(render().map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'Namespace/bulkhead-pattern',
      'Deployment/price-write',
      'Service/price-write',
      'Deployment/price-read',
      'Service/price-read',
      'Mesh/bulkhead-pattern',
      'VirtualNode/price-write-node',
      'VirtualNode/price-read-node',
      'Service/price-service',
      'VirtualRouter/price-router',
      'VirtualService/price-service',
      'VirtualGateway/ingress-gw',
      'GatewayRoute/gateway-route-paths',
      'Deployment/ingress-gw',
      'Service/ingress-gw',
      'Deployment/vegeta',
    ]);
  });

  test('labels the namespace for the mesh, the gateway and the sidecar injector', () => {
    expect(get(render(), 'Namespace', 'bulkhead-pattern').metadata.labels).toEqual({
      'app.kubernetes.io/part-of': 'bulkhead',
      mesh: 'bulkhead-pattern',
      gateway: 'ingress-gw-bulkhead-pattern',
      'appmesh.k8s.aws/sidecarInjectorWebhook': 'enabled',
    });
  });

  test('puts every namespaced object in the configured namespace', () => {
    const objects = render({ namespace: { name: 'shop' } });
    const namespaces = new Set(
      objects
        .filter((o) => o.kind !== 'Namespace' && o.kind !== 'Mesh')
        .map((o) => o.metadata.namespace),
    );
    expect([...namespaces]).toEqual(['shop']);
    expect(get(objects, 'VirtualService', 'price-service').spec.awsName).toBe(
      'price-service.shop.svc.cluster.local',
    );
  });
});
