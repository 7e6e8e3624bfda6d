import { get } from '../../support/objects';
import { render } from '../../support/render';

describe('IngressGateway', () => {
  test('listens on 8088 behind a LoadBalancer on port 80', () => {
    const objects = render();
    expect(get(objects, 'VirtualGateway', 'ingress-gw').spec).toEqual({
      namespaceSelector: { matchLabels: { gateway: 'ingress-gw-bulkhead-pattern' } },
      podSelector: { matchLabels: { app: 'ingress-gw' } },
      listeners: [{ portMapping: { port: 8088, protocol: 'http' } }],
    });
    const service = get(objects, 'Service', 'ingress-gw');
    expect(service.spec.type).toBe('LoadBalancer');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 80, targetPort: 8088, protocol: 'TCP' },
    ]);
  });

  test('leaves the Envoy container to the controller', () => {
    const container = get(render(), 'Deployment', 'ingress-gw').spec.template.spec.containers[0];
    expect(container).toEqual({
      name: 'envoy',
      image: 'controller-override',
      ports: [{ name: 'http', containerPort: 8088, protocol: 'TCP' }],
    });
  });

  test('routes every path to the virtual service, keeping the prefix /', () => {
    expect(get(render(), 'GatewayRoute', 'gateway-route-paths').spec).toEqual({
      httpRoute: {
        match: { prefix: '/' },
        action: { target: { virtualService: { virtualServiceRef: { name: 'price-service' } } } },
      },
    });
  });
});
