import { loadSettings } from '../../src/config/load';
import { renderObjects } from '../../src/render';
import { Obj } from './objects';

/** The objects the cdk8s render gives for the defaults overridden by `overrides`. */
export function render(overrides: unknown = {}): Obj[] {
  return renderObjects(loadSettings(overrides)) as Obj[];
}
