import { IstioRendering } from '../../../src/mesh/istio';
import { get } from '../../support/objects';
import { guarded, renderPlaceholders } from '../../support/placeholders';
import { render } from '../../support/render';

describe('IstioIngress', () => {
  test('renders a Gateway on the istio: ingressgateway pods, plain HTTP on port 80, any host', () => {
    const gateway = get(render({ mesh: { provider: 'istio' } }), 'Gateway', 'ingress-gw');
    expect(gateway.apiVersion).toBe('networking.istio.io/v1');
    expect(gateway.metadata.namespace).toBe('bulkhead-pattern');
    expect(gateway.spec).toEqual({
      selector: { istio: 'ingressgateway' },
      servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
    });
  });

  test('takes the selector, name and port from the settings', () => {
    const gateway = get(
      render({
        mesh: {
          provider: 'istio',
          istio: { gatewaySelectorKey: 'app.kubernetes.io/name', gatewaySelectorValue: 'edge' },
        },
        gateway: { name: 'shop-gw', servicePort: 8000 },
      }),
      'Gateway',
      'shop-gw',
    );
    expect(gateway.spec.selector).toEqual({ 'app.kubernetes.io/name': 'edge' });
    expect(gateway.spec.servers[0].port.number).toBe(8000);
  });

  test('passes the selector placeholders through as they are', () => {
    const { object, guards } = guarded(
      renderPlaceholders(new IstioRendering()),
      'Gateway',
      '{{ .Values.gateway.name }}',
    );
    expect(object.spec.selector).toEqual({
      '{{ .Values.mesh.istio.gatewaySelectorKey }}':
        '{{ .Values.mesh.istio.gatewaySelectorValue }}',
    });
    expect(guards).toEqual([]);
  });
});
