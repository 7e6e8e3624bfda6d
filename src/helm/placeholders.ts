import { placeholder } from '../config/conditions';
import { mapSettings } from '../config/schema';
import { Settings, SETTINGS } from '../config/settings';

/**
 * Settings in which every value is the placeholder of its Helm value, e.g.
 * `{{ .Values.priceWrite.breaker.maxConnections }}`. The constructs pass these through to
 * the rendered objects; `template.ts` then turns them into template expressions.
 * `mesh.provider` is the exception: it picks which constructs exist, so each provider is
 * rendered on its own and the chart selects between them (see chart.ts).
 */
export function placeholderSettings(provider: Settings['mesh']['provider']): Settings {
  const settings = mapSettings(SETTINGS, (_, path) => placeholder(path)) as unknown as {
    mesh: Record<string, unknown>;
  };
  settings.mesh.provider = provider;
  return settings as unknown as Settings;
}
