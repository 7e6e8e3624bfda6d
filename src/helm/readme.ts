import { parameterTable } from './values';

const START = /<!-- settings:start[^>]*-->/;
const END = '<!-- settings:end -->';

/** `readme` with the settings table, generated from the settings definition, between its markers. */
export function withSettingsTable(readme: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < start.index) {
    throw new Error(
      "README.md must hold '<!-- settings:start ... -->' and '<!-- settings:end -->' markers",
    );
  }
  const head = readme.slice(0, start.index + start[0].length);
  return `${head}\n${parameterTable()}\n${readme.slice(end)}`;
}
