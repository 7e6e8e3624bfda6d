/**
 * `readme` with `content` between the markers of the generated section `name`:
 * `<!-- name:start ... -->` (which may say what generates it) and `<!-- name:end -->`.
 * @throws Error naming both markers when either is missing or they are out of order
 */
export function withReadmeSection(readme: string, name: string, content: string): string {
  const start = new RegExp(`<!-- ${name}:start[^>]*-->`).exec(readme);
  const end = readme.indexOf(`<!-- ${name}:end -->`);
  if (!start || end < start.index) {
    throw new Error(
      `README.md must hold '<!-- ${name}:start ... -->' and '<!-- ${name}:end -->' markers`,
    );
  }
  const head = readme.slice(0, start.index + start[0].length);
  return `${head}\n${content}\n${readme.slice(end)}`;
}
