import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { withSettingsTable } from '../../src/helm/readme';
import { parameterTable } from '../../src/helm/values';

describe('withSettingsTable', () => {
  test('puts the parameter table between the markers, replacing what was there', () => {
    const readme = 'intro\n<!-- settings:start x -->\nold\n<!-- settings:end -->\nrest\n';
    expect(withSettingsTable(readme)).toBe(
      `intro\n<!-- settings:start x -->\n${parameterTable()}\n<!-- settings:end -->\nrest\n`,
    );
  });

  test('rejects a README without the markers', () => {
    expect(() => withSettingsTable('no markers')).toThrow(
      "README.md must hold '<!-- settings:start ... -->' and '<!-- settings:end -->' markers",
    );
  });

  test('keeps the committed README fresh (run `npx projen synth` if not)', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    expect(withSettingsTable(readme)).toBe(readme);
  });
});
