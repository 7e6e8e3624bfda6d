import { withReadmeSection } from '../src/readme-section';

describe('withReadmeSection', () => {
  test('replaces what stands between the markers, keeping the start marker’s note', () => {
    const readme = 'a\n<!-- lab:start (made by x) -->\nold\nlines\n<!-- lab:end -->\nb\n';
    expect(withReadmeSection(readme, 'lab', 'new')).toBe(
      'a\n<!-- lab:start (made by x) -->\nnew\n<!-- lab:end -->\nb\n',
    );
  });

  test('touches only the named section', () => {
    const readme = '<!-- a:start -->\n1\n<!-- a:end -->\n<!-- b:start -->\n2\n<!-- b:end -->\n';
    expect(withReadmeSection(readme, 'b', '3')).toBe(
      '<!-- a:start -->\n1\n<!-- a:end -->\n<!-- b:start -->\n3\n<!-- b:end -->\n',
    );
  });

  test.each([
    ['no markers', 'text'],
    ['no end marker', '<!-- lab:start -->\nx\n'],
    ['markers out of order', '<!-- lab:end -->\n<!-- lab:start -->\n'],
  ])('rejects a README with %s, naming both markers', (_case, readme) => {
    expect(() => withReadmeSection(readme, 'lab', 'new')).toThrow(
      "README.md must hold '<!-- lab:start ... -->' and '<!-- lab:end -->' markers",
    );
  });
});
