/**
 * The settings scenarios shipped as `charts/ci/<name>-values.yaml`: linted and rendered by
 * CI with both helm versions, and compared with the cdk8s render of the same settings.
 */
export const CI_SCENARIOS: Record<string, unknown> = {
  'breaker-off': { priceWrite: { breaker: { enabled: false } } },
  'tight-limits': { priceWrite: { breaker: { maxConnections: 1, maxPendingRequests: 1 } } },
  'custom-names': { namespace: { name: 'shop-prices' }, mesh: { name: 'shop-mesh' } },
  'several-replicas': {
    priceWrite: { replicas: 3 },
    priceRead: { replicas: 2 },
    gateway: { replicas: 2 },
  },
  'vegeta-off': { loadTester: { enabled: false } },
  'outliers-and-timeouts': {
    priceWrite: { outlierDetection: { enabled: true }, timeout: { perRequestMillis: 8000 } },
    priceRead: { timeout: { perRequestMillis: 1000 } },
  },
  'image-by-tag': {
    image: {
      repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bulkhead-pattern/price-app',
      tag: 'abc1234',
    },
  },
  istio: { mesh: { provider: 'istio' } },
  'envoy-gateway': { mesh: { provider: 'envoy-gateway' } },
  'image-by-digest': {
    image: {
      repository: 'registry.example.com/price-app',
      digest: `sha256:${'0123456789abcdef'.repeat(4)}`,
    },
  },
};
