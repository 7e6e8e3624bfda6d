import { IstioRendering } from '../../../src/mesh/istio';
import { get } from '../../support/objects';
import { guarded, renderPlaceholders } from '../../support/placeholders';
import { render } from '../../support/render';

function rule(overrides: object, name = 'price-write') {
  return get(render({ mesh: { provider: 'istio' }, ...overrides }), 'DestinationRule', name);
}

describe('CompartmentRule', () => {
  test('renders the write breaker as 20 connections, 5 pending and 20 parallel requests', () => {
    const write = rule({});
    expect(write.apiVersion).toBe('networking.istio.io/v1');
    expect(write.spec).toEqual({
      host: 'price-write.bulkhead-pattern.svc.cluster.local',
      trafficPolicy: {
        connectionPool: {
          tcp: { maxConnections: 20 },
          http: { http1MaxPendingRequests: 5, http2MaxRequests: 20 },
        },
      },
    });
    expect(rule({}, 'price-read').spec.trafficPolicy.connectionPool).toEqual({
      tcp: { maxConnections: 100 },
      http: { http1MaxPendingRequests: 100, http2MaxRequests: 100 },
    });
  });

  test('takes each breaker limit from its own setting', () => {
    const pool = rule({
      priceWrite: { breaker: { maxConnections: 3, maxPendingRequests: 2, maxParallelRequests: 7 } },
    }).spec.trafficPolicy.connectionPool;
    expect(pool).toEqual({
      tcp: { maxConnections: 3 },
      http: { http1MaxPendingRequests: 2, http2MaxRequests: 7 },
    });
  });

  test('renders no connection pool when the breaker is off, for that compartment only', () => {
    const off = { priceWrite: { breaker: { enabled: false } } };
    expect(rule(off).spec).not.toHaveProperty('trafficPolicy');
    const outliersOnly = { priceWrite: { breaker: { enabled: false }, outlierDetection: { enabled: true } } };
    expect(rule(outliersOnly).spec.trafficPolicy).not.toHaveProperty('connectionPool');
    expect(rule(off, 'price-read').spec.trafficPolicy.connectionPool).toBeDefined();
  });

  test('renders outlier detection only when it is on, with durations in seconds', () => {
    expect(rule({}).spec.trafficPolicy).not.toHaveProperty('outlierDetection');
    const detection = rule({
      priceWrite: {
        outlierDetection: {
          enabled: true,
          maxServerErrors: 3,
          intervalSeconds: 15,
          baseEjectionSeconds: 60,
          maxEjectionPercent: 25,
        },
      },
    }).spec.trafficPolicy.outlierDetection;
    expect(detection).toEqual({
      consecutive5xxErrors: 3,
      interval: '15s',
      baseEjectionTime: '60s',
      maxEjectionPercent: 25,
    });
  });

  test('names the compartment Service of a renamed namespace and compartment', () => {
    const renamed = rule({ namespace: { name: 'shop' }, priceWrite: { name: 'writes' } }, 'writes');
    expect(renamed.spec.host).toBe('writes.shop.svc.cluster.local');
    expect(renamed.metadata.namespace).toBe('shop');
  });

  test('passes chart placeholders through and guards the pool and the detection', () => {
    const { object, guards } = guarded(
      renderPlaceholders(new IstioRendering()),
      'DestinationRule',
      '{{ .Values.priceWrite.name }}',
    );
    expect(object.spec.trafficPolicy.connectionPool).toEqual({
      tcp: { maxConnections: '{{ .Values.priceWrite.breaker.maxConnections }}' },
      http: {
        http1MaxPendingRequests: '{{ .Values.priceWrite.breaker.maxPendingRequests }}',
        http2MaxRequests: '{{ .Values.priceWrite.breaker.maxParallelRequests }}',
      },
    });
    expect(object.spec.trafficPolicy.outlierDetection.interval).toBe(
      '{{ .Values.priceWrite.outlierDetection.intervalSeconds }}s',
    );
    expect(guards).toEqual([
      {
        pointer: '/spec/trafficPolicy/connectionPool',
        template: '.Values.priceWrite.breaker.enabled',
      },
      {
        pointer: '/spec/trafficPolicy/outlierDetection',
        template: '.Values.priceWrite.outlierDetection.enabled',
      },
    ]);
  });
});
