import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { applicationYaml } from '../../src/helm/argocd';

describe('the Argo CD Application', () => {
  test('syncs charts/ automatically, pruning and self-healing, without creating the namespace', () => {
    const app = parse(
      applicationYaml({
        repoURL: 'https://git.example.com/shop/bulkhead.git',
        targetRevision: 'v1',
      }),
    );
    expect(app.kind).toBe('Application');
    expect(app.spec.source).toMatchObject({
      repoURL: 'https://git.example.com/shop/bulkhead.git',
      targetRevision: 'v1',
      path: 'charts',
    });
    expect(app.spec.syncPolicy).toEqual({
      automated: { prune: true, selfHeal: true },
      syncOptions: ['CreateNamespace=false'],
    });
  });

  test('is committed as rendered', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'argocd', 'application.yaml'), 'utf8')).toBe(
      applicationYaml(),
    );
  });
});
