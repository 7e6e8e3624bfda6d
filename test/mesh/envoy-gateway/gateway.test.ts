import { EnvoyGatewayRendering } from '../../../src/mesh/envoy-gateway';
import { get } from '../../support/objects';
import { guarded, renderPlaceholders } from '../../support/placeholders';
import { render } from '../../support/render';

describe('EdgeGateway', () => {
  test('renders a Gateway of class eg with an HTTP listener named http on port 80', () => {
    const gateway = get(render({ mesh: { provider: 'envoy-gateway' } }), 'Gateway', 'ingress-gw');
    expect(gateway.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(gateway.metadata.namespace).toBe('bulkhead-pattern');
    expect(gateway.spec).toEqual({
      gatewayClassName: 'eg',
      listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }],
    });
  });

  test('takes the class, name and port from the settings', () => {
    const gateway = get(
      render({
        mesh: { provider: 'envoy-gateway', envoyGateway: { gatewayClassName: 'edge' } },
        gateway: { name: 'shop-gw', servicePort: 8000 },
      }),
      'Gateway',
      'shop-gw',
    );
    expect(gateway.spec.gatewayClassName).toBe('edge');
    expect(gateway.spec.listeners[0].port).toBe(8000);
  });

  test('passes the class placeholder through', () => {
    const { object, guards } = guarded(
      renderPlaceholders(new EnvoyGatewayRendering()),
      'Gateway',
      '{{ .Values.gateway.name }}',
    );
    expect(object.spec.gatewayClassName).toBe('{{ .Values.mesh.envoyGateway.gatewayClassName }}');
    expect(object.spec.listeners[0].port).toBe('{{ .Values.gateway.servicePort }}');
    expect(guards).toEqual([]);
  });
});
