import { EnvoyGatewayRendering } from '../../../src/mesh/envoy-gateway';
import { get } from '../../support/objects';
import { guarded, renderPlaceholders } from '../../support/placeholders';
import { render } from '../../support/render';

function policy(overrides: object, name = 'price-write') {
  return get(
    render({ mesh: { provider: 'envoy-gateway' }, ...overrides }),
    'BackendTrafficPolicy',
    name,
  );
}

describe('CompartmentPolicy', () => {
  test('attaches the write breaker, 20 connections, 5 pending, 20 parallel, to its rule', () => {
    const write = policy({});
    expect(write.apiVersion).toBe('gateway.envoyproxy.io/v1alpha1');
    expect(write.spec).toEqual({
      targetRefs: [
        {
          group: 'gateway.networking.k8s.io',
          kind: 'HTTPRoute',
          name: 'price-router',
          sectionName: 'price-write',
        },
      ],
      circuitBreaker: { maxConnections: 20, maxPendingRequests: 5, maxParallelRequests: 20 },
    });
    expect(policy({}, 'price-read').spec.circuitBreaker).toEqual({
      maxConnections: 100,
      maxPendingRequests: 100,
      maxParallelRequests: 100,
    });
  });

  test('takes each breaker limit from its own setting', () => {
    const breaker = policy({
      priceWrite: { breaker: { maxConnections: 3, maxPendingRequests: 2, maxParallelRequests: 7 } },
    }).spec.circuitBreaker;
    expect(breaker).toEqual({ maxConnections: 3, maxPendingRequests: 2, maxParallelRequests: 7 });
  });

  test('renders no circuit breaker when the breaker is off, for that compartment only', () => {
    const off = { priceRead: { breaker: { enabled: false } } };
    expect(policy(off, 'price-read').spec).not.toHaveProperty('circuitBreaker');
    expect(policy(off).spec.circuitBreaker).toBeDefined();
  });

  test('renders outlier detection as a passive health check only when it is on', () => {
    expect(policy({}).spec).not.toHaveProperty('healthCheck');
    const check = policy({
      priceWrite: {
        outlierDetection: {
          enabled: true,
          maxServerErrors: 3,
          intervalSeconds: 15,
          baseEjectionSeconds: 60,
          maxEjectionPercent: 25,
        },
      },
    }).spec.healthCheck;
    expect(check).toEqual({
      passive: {
        consecutive5XxErrors: 3,
        interval: '15s',
        baseEjectionTime: '60s',
        maxEjectionPercent: 25,
      },
    });
  });

  test('renders the request timeout in milliseconds only when set', () => {
    expect(policy({}).spec).not.toHaveProperty('timeout');
    expect(policy({ priceWrite: { timeout: { perRequestMillis: 8000 } } }).spec.timeout).toEqual({
      http: { requestTimeout: '8000ms' },
    });
  });

  test('guards the breaker, the health check and the timeout on their settings in the chart', () => {
    const { object, guards } = guarded(
      renderPlaceholders(new EnvoyGatewayRendering()),
      'BackendTrafficPolicy',
      '{{ .Values.priceRead.name }}',
    );
    expect(object.spec.targetRefs[0].sectionName).toBe('{{ .Values.priceRead.name }}');
    expect(object.spec.circuitBreaker.maxPendingRequests).toBe(
      '{{ .Values.priceRead.breaker.maxPendingRequests }}',
    );
    expect(guards).toEqual([
      { pointer: '/spec/circuitBreaker', template: '.Values.priceRead.breaker.enabled' },
      { pointer: '/spec/healthCheck', template: '.Values.priceRead.outlierDetection.enabled' },
      {
        pointer: '/spec/timeout',
        template: 'gt (int .Values.priceRead.timeout.perRequestMillis) 0',
      },
    ]);
  });
});
