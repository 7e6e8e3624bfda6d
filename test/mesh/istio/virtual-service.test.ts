import { IstioRendering } from '../../../src/mesh/istio';
import { get } from '../../support/objects';
import { guarded, renderPlaceholders } from '../../support/placeholders';
import { render } from '../../support/render';

function virtualService(overrides: object = {}) {
  return get(
    render({ mesh: { provider: 'istio' }, ...overrides }),
    'VirtualService',
    'price-router',
  );
}

describe('PriceRoutes', () => {
  test('sends POST /price to price-write and GET /price to price-read through the Gateway', () => {
    const vs = virtualService();
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.spec).toEqual({
      hosts: ['*'],
      gateways: ['ingress-gw'],
      http: [
        {
          name: 'price-write',
          match: [{ method: { exact: 'POST' }, uri: { prefix: '/price' } }],
          route: [
            {
              destination: {
                host: 'price-write.bulkhead-pattern.svc.cluster.local',
                port: { number: 8080 },
              },
            },
          ],
        },
        {
          name: 'price-read',
          match: [{ method: { exact: 'GET' }, uri: { prefix: '/price' } }],
          route: [
            {
              destination: {
                host: 'price-read.bulkhead-pattern.svc.cluster.local',
                port: { number: 8080 },
              },
            },
          ],
        },
      ],
    });
  });

  test('takes the method and path prefix of each route from the compartment settings', () => {
    const vs = virtualService({ priceWrite: { route: { method: 'PUT', pathPrefix: '/prices' } } });
    expect(vs.spec.http[0].match).toEqual([
      { method: { exact: 'PUT' }, uri: { prefix: '/prices' } },
    ]);
  });

  test('renders a per-request timeout in milliseconds on a route only when set', () => {
    const http = virtualService({ priceRead: { timeout: { perRequestMillis: 1500 } } }).spec.http;
    expect(http[1].timeout).toBe('1500ms');
    expect(http[0]).not.toHaveProperty('timeout');
  });

  test('guards each route timeout on its own setting in the chart', () => {
    const { object, guards } = guarded(
      renderPlaceholders(new IstioRendering()),
      'VirtualService',
      '{{ .Values.mesh.routerName }}',
    );
    expect(object.spec.http[0].timeout).toBe('{{ .Values.priceWrite.timeout.perRequestMillis }}ms');
    expect(object.spec.http[1].match[0].method).toEqual({
      exact: '{{ .Values.priceRead.route.method }}',
    });
    expect(guards).toEqual([
      {
        pointer: '/spec/http/0/timeout',
        template: 'gt (int .Values.priceWrite.timeout.perRequestMillis) 0',
      },
      {
        pointer: '/spec/http/1/timeout',
        template: 'gt (int .Values.priceRead.timeout.perRequestMillis) 0',
      },
    ]);
  });
});
