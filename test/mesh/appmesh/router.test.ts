import { get } from '../../support/objects';
import { render } from '../../support/render';

describe('PriceRouter', () => {
  test('sends POST /price to the write node and GET /price to the read node', () => {
    const router = get(render(), 'VirtualRouter', 'price-router');
    expect(router.spec.listeners).toEqual([{ portMapping: { port: 8080, protocol: 'http' } }]);
    expect(router.spec.routes).toEqual([
      {
        name: 'price-write-route',
        httpRoute: {
          match: { prefix: '/price', method: 'POST' },
          action: {
            weightedTargets: [{ virtualNodeRef: { name: 'price-write-node' }, weight: 1 }],
          },
        },
      },
      {
        name: 'price-read-route',
        httpRoute: {
          match: { prefix: '/price', method: 'GET' },
          action: { weightedTargets: [{ virtualNodeRef: { name: 'price-read-node' }, weight: 1 }] },
        },
      },
    ]);
  });

  test('adds a per-request timeout to a route when set', () => {
    const routes = get(
      render({ priceRead: { timeout: { perRequestMillis: 1500 } } }),
      'VirtualRouter',
      'price-router',
    ).spec.routes;
    expect(routes[1].httpRoute.timeout).toEqual({ perRequest: { unit: 'ms', value: 1500 } });
    expect(routes[0].httpRoute).not.toHaveProperty('timeout');
  });

  test('provides the virtual service by the router, with a selectorless Service for its DNS name', () => {
    const objects = render();
    expect(get(objects, 'VirtualService', 'price-service').spec).toEqual({
      awsName: 'price-service.bulkhead-pattern.svc.cluster.local',
      provider: { virtualRouter: { virtualRouterRef: { name: 'price-router' } } },
    });
    const service = get(objects, 'Service', 'price-service');
    expect(service.spec.selector).toBeUndefined();
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8080, appProtocol: 'http' }]);
  });
});
