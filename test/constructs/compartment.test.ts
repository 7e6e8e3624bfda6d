import { get, ofKind } from '../support/objects';
import { render } from '../support/render';

describe('Compartment', () => {
  test('renders a Deployment and a Service on port 8080 named http', () => {
    const objects = render();
    const service = get(objects, 'Service', 'price-read');
    expect(service.spec.ports).toEqual([
      { name: 'http', port: 8080, targetPort: 'http', appProtocol: 'http' },
    ]);
    expect(service.spec.selector).toEqual({ app: 'price-read' });
    expect(get(objects, 'Deployment', 'price-read').spec.selector.matchLabels).toEqual({
      app: 'price-read',
    });
  });

  test('passes the write delay, working memory and grace period to the service', () => {
    const pod = get(render(), 'Deployment', 'price-write').spec.template.spec;
    expect(pod.containers[0].env).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'DATABASE_DELAY', value: '5s' },
      { name: 'WRITE_WORKING_MEMORY', value: '1Mi' },
      { name: 'SHUTDOWN_GRACE', value: '30s' },
    ]);
    expect(pod.terminationGracePeriodSeconds).toBe(30);
  });

  test('sets requests, limits and probes on /health and /ready', () => {
    const container = get(
      render({ priceWrite: { resources: { limits: { memory: '200Mi' } } } }),
      'Deployment',
      'price-write',
    ).spec.template.spec.containers[0];
    expect(container.resources).toEqual({
      requests: { cpu: '50m', memory: '96Mi' },
      limits: { cpu: '500m', memory: '200Mi' },
    });
    expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
  });

  test('hardens the container: non-root, read-only root, no capabilities, RuntimeDefault seccomp', () => {
    const pod = get(render(), 'Deployment', 'price-read').spec.template.spec;
    expect(pod.containers[0].securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 10001,
      runAsGroup: 10001,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.securityContext).toEqual({
      fsGroup: 10001,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(pod.containers[0].volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.automountServiceAccountToken).toBe(false);
  });

  test('renders a PodDisruptionBudget only with more than one replica', () => {
    expect(ofKind(render(), 'PodDisruptionBudget')).toEqual([]);
    const budgets = ofKind(render({ priceWrite: { replicas: 3 } }), 'PodDisruptionBudget');
    expect(budgets.map((b) => [b.metadata.name, b.spec])).toEqual([
      ['price-write', { maxUnavailable: 1, selector: { matchLabels: { app: 'price-write' } } }],
    ]);
  });

  test('pulls the image by digest when one is set', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const container = get(
      render({ image: { repository: 'example.com/price', digest } }),
      'Deployment',
      'price-read',
    ).spec.template.spec.containers[0];
    expect(container.image).toBe(`example.com/price@${digest}`);
    expect(
      get(render({ image: { tag: '1.2.3' } }), 'Deployment', 'price-read').spec.template.spec
        .containers[0].image,
    ).toBe('bulkhead-pattern/price-app:1.2.3');
  });
});
