import { find, get } from '../support/objects';
import { render } from '../support/render';

describe('LoadTester', () => {
  test('renders a pinned Vegeta pod that idles, outside the mesh', () => {
    const deployment = get(render(), 'Deployment', 'vegeta');
    const pod = deployment.spec.template;
    expect(pod.metadata.annotations).toEqual({
      'appmesh.k8s.aws/sidecarInjectorWebhook': 'disabled',
    });
    expect(pod.spec.containers[0].image).toBe('peterevans/vegeta:6.9.1');
    expect(pod.spec.containers[0].command[0]).toBe('sh');
    expect(pod.spec.containers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      readOnlyRootFilesystem: true,
    });
    expect(pod.spec.containers[0].workingDir).toBe('/tmp');
  });

  test('is left out when switched off', () => {
    expect(
      find(render({ loadTester: { enabled: false } }), 'Deployment', 'vegeta'),
    ).toBeUndefined();
  });
});
