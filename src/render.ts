import { App } from 'cdk8s';
import { stringify } from 'yaml';
import { Settings } from './config/settings';
import { BulkheadChart } from './constructs/bulkhead';
import { meshRendering } from './mesh';

/** The Kubernetes objects of the bulkhead system for `settings`, in rollout order. */
export function renderObjects(settings: Settings): Record<string, unknown>[] {
  const app = new App();
  const chart = new BulkheadChart(app, 'bulkhead', {
    settings,
    mesh: meshRendering(settings.mesh.provider),
  });
  return chart.toJson();
}

/** A multi-document YAML text of `objects`, with `header` as a leading comment. */
export function toYamlDocuments(objects: readonly unknown[], header: string): string {
  const comment = header
    .split('\n')
    .map((line) => `# ${line}`.trimEnd())
    .join('\n');
  const docs = objects.map((object) => stringify(object, { lineWidth: 0 }).trimEnd());
  return `${comment}\n---\n${docs.join('\n---\n')}\n`;
}
