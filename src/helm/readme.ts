import { withReadmeSection } from '../readme-section';
import { parameterTable } from './values';

/** `readme` with the settings table, generated from the settings definition, between its markers. */
export function withSettingsTable(readme: string): string {
  return withReadmeSection(readme, 'settings', parameterTable());
}
