import { Settings } from '../config/settings';
import { AppMeshRendering } from './appmesh';
import { EnvoyGatewayRendering } from './envoy-gateway';
import { IstioRendering } from './istio';
import { MeshRendering } from './model';

/** The rendering of each `mesh.provider`. */
const RENDERINGS: Record<Settings['mesh']['provider'], () => MeshRendering> = {
  appmesh: () => new AppMeshRendering(),
  istio: () => new IstioRendering(),
  'envoy-gateway': () => new EnvoyGatewayRendering(),
};

/** Every provider, in the order they are documented. */
export const PROVIDERS = Object.keys(RENDERINGS) as Settings['mesh']['provider'][];

/** The mesh rendering for `provider`. */
export function meshRendering(provider: Settings['mesh']['provider']): MeshRendering {
  const make = RENDERINGS[provider];
  if (!make)
    throw new Error(`'mesh.provider' must be one of ${PROVIDERS.join(', ')} (got '${provider}')`);
  return make();
}
