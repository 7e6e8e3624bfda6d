import { Construct } from 'constructs';
import { CompartmentSettings, Settings } from '../config/settings';
import { Compartment } from '../constructs/compartment';

/**
 * What every mesh rendering receives: the compartments to route to and isolate, and the
 * settings of the mesh layer. A rendering adds the mesh's own objects (routing, breakers,
 * ingress) beside the compartments and tells the rest of the system how to join the mesh.
 */
export interface BulkheadModel {
  /** All settings, for the mesh, gateway and namespace names. */
  readonly settings: Settings;

  /** The namespace of every namespaced object. */
  readonly namespace: string;

  /** The compartments, in routing order. */
  readonly compartments: readonly Compartment[];
}

/** One way of rendering the mesh layer (App Mesh, Istio, Envoy Gateway). */
export interface MeshRendering {
  /** Labels the namespace needs so that the mesh injects its sidecars there. */
  namespaceLabels(settings: Settings): Record<string, string>;

  /** Pod annotations that keep a pod out of the mesh (the load tester). */
  outsideMeshAnnotations(): Record<string, string>;

  /** Adds the mesh objects for `model` under `scope`. */
  render(scope: Construct, model: BulkheadModel): void;
}

/** The settings keys of the compartments, in routing order (write first, as in the mesh objects). */
export const COMPARTMENT_KEYS = ['priceWrite', 'priceRead'] as const;

/** The settings of every compartment, in routing order; every rendering starts from these. */
export function compartmentSettings(settings: Settings): CompartmentSettings[] {
  return COMPARTMENT_KEYS.map((key) => settings[key]);
}
