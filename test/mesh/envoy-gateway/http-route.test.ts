import { EnvoyGatewayRendering } from '../../../src/mesh/envoy-gateway';
import { get } from '../../support/objects';
import { guarded, renderPlaceholders } from '../../support/placeholders';
import { render } from '../../support/render';

function route(overrides: object = {}) {
  return get(
    render({ mesh: { provider: 'envoy-gateway' }, ...overrides }),
    'HTTPRoute',
    'price-router',
  );
}

describe('PriceRoute', () => {
  test('attaches to the http listener with a named rule per compartment, POST and GET /price', () => {
    const httpRoute = route();
    expect(httpRoute.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(httpRoute.spec).toEqual({
      parentRefs: [{ name: 'ingress-gw', sectionName: 'http' }],
      rules: [
        {
          name: 'price-write',
          matches: [{ method: 'POST', path: { type: 'PathPrefix', value: '/price' } }],
          backendRefs: [{ name: 'price-write', port: 8080 }],
        },
        {
          name: 'price-read',
          matches: [{ method: 'GET', path: { type: 'PathPrefix', value: '/price' } }],
          backendRefs: [{ name: 'price-read', port: 8080 }],
        },
      ],
    });
  });

  test('names each rule after its compartment and takes its match from the settings', () => {
    const rules = route({
      priceRead: { name: 'reads', route: { method: 'GET', pathPrefix: '/prices' } },
    }).spec.rules;
    expect(rules[1]).toEqual({
      name: 'reads',
      matches: [{ method: 'GET', path: { type: 'PathPrefix', value: '/prices' } }],
      backendRefs: [{ name: 'reads', port: 8080 }],
    });
  });

  test('keeps the timeout off the route, where the policy carries it', () => {
    const rules = route({ priceWrite: { timeout: { perRequestMillis: 2000 } } }).spec.rules;
    expect(rules[0]).not.toHaveProperty('timeouts');
  });

  test('passes the rule names and methods through as placeholders, unguarded', () => {
    const { object, guards } = guarded(
      renderPlaceholders(new EnvoyGatewayRendering()),
      'HTTPRoute',
      '{{ .Values.mesh.routerName }}',
    );
    expect(object.spec.rules.map((r: { name: string }) => r.name)).toEqual([
      '{{ .Values.priceWrite.name }}',
      '{{ .Values.priceRead.name }}',
    ]);
    expect(object.spec.rules[0].matches[0].method).toBe('{{ .Values.priceWrite.route.method }}');
    expect(guards).toEqual([]);
  });
});
