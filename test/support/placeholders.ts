import { ApiObject, App } from 'cdk8s';
import { Guard, guardsOf, placeholder } from '../../src/config/conditions';
import { mapSettings } from '../../src/config/schema';
import { Settings, SETTINGS } from '../../src/config/settings';
import { BulkheadChart } from '../../src/constructs/bulkhead';
import { MeshRendering } from '../../src/mesh/model';
import { Obj } from './objects';

/**
 * Renders as the Helm chart does: every setting is its `{{ .Values.path }}` placeholder.
 * Tests use it to show that a construct passes settings through untouched and guards each
 * block that depends on one, instead of deciding at render time.
 */

/** A rendered object with the guards recorded on it. */
export interface GuardedObject {
  readonly object: Obj;
  readonly guards: Guard[];
}

/** Settings whose every value is the chart placeholder of its path. */
export function placeholderSettings(): Settings {
  return mapSettings(SETTINGS, (_, path) => placeholder(path)) as unknown as Settings;
}

/** Every API object of the system rendered by `mesh` with placeholder settings. */
export function renderPlaceholders(mesh: MeshRendering): GuardedObject[] {
  const chart = new BulkheadChart(new App(), 'bulkhead', {
    settings: placeholderSettings(),
    mesh,
  });
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => c instanceof ApiObject)
    .map((o) => ({ object: o.toJson(), guards: guardsOf(o) }));
}

/** The object of `kind` whose name is `name` (a placeholder, usually). */
export function guarded(
  objects: readonly GuardedObject[],
  kind: string,
  name: string,
): GuardedObject {
  const found = objects.find((o) => o.object.kind === kind && o.object.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} named '${name}' among the placeholder objects`);
  return found;
}
