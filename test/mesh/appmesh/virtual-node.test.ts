import { get } from '../../support/objects';
import { render } from '../../support/render';

function listener(overrides: unknown, node = 'price-write-node') {
  return get(render(overrides), 'VirtualNode', node).spec.listeners[0];
}

describe('CompartmentNode', () => {
  test('puts the write breaker, 20 connections and 5 pending requests, on the listener', () => {
    expect(listener({}).connectionPool).toEqual({
      http: { maxConnections: 20, maxPendingRequests: 5 },
    });
    expect(listener({}, 'price-read-node').connectionPool).toEqual({
      http: { maxConnections: 100, maxPendingRequests: 100 },
    });
  });

  test('takes the breaker limits from the settings', () => {
    const pool = listener({
      priceWrite: { breaker: { maxConnections: 1, maxPendingRequests: 1 } },
    }).connectionPool;
    expect(pool).toEqual({ http: { maxConnections: 1, maxPendingRequests: 1 } });
  });

  test('removes the connection pool when the breaker is off', () => {
    const l = listener({ priceWrite: { breaker: { enabled: false } } });
    expect(l).not.toHaveProperty('connectionPool');
    expect(
      listener({ priceWrite: { breaker: { enabled: false } } }, 'price-read-node').connectionPool,
    ).toBeDefined();
  });

  test('health-checks /health with thresholds 2/2, 2 s timeout and 5 s interval', () => {
    expect(listener({}).healthCheck).toEqual({
      protocol: 'http',
      path: '/health',
      healthyThreshold: 2,
      unhealthyThreshold: 2,
      timeoutMillis: 2000,
      intervalMillis: 5000,
    });
    expect(listener({}).portMapping).toEqual({ port: 8080, protocol: 'http' });
  });

  test('renders outlier detection and a per-request timeout only when set', () => {
    expect(listener({})).not.toHaveProperty('outlierDetection');
    expect(listener({})).not.toHaveProperty('timeout');
    const l = listener({
      priceWrite: { outlierDetection: { enabled: true }, timeout: { perRequestMillis: 7000 } },
    });
    expect(l.outlierDetection).toEqual({
      maxServerErrors: 5,
      interval: { unit: 's', value: 10 },
      baseEjectionDuration: { unit: 's', value: 30 },
      maxEjectionPercent: 50,
    });
    expect(l.timeout).toEqual({ http: { perRequest: { unit: 'ms', value: 7000 } } });
  });

  test('discovers the pods through the compartment Service by DNS', () => {
    const node = get(render(), 'VirtualNode', 'price-read-node');
    expect(node.spec.serviceDiscovery).toEqual({
      dns: { hostname: 'price-read.bulkhead-pattern.svc.cluster.local' },
    });
    expect(node.spec.podSelector).toEqual({ matchLabels: { app: 'price-read' } });
  });
});
