import { cleanRepository } from '../../src/image/clean';
import { ImageError } from '../../src/image/errors';
import { FakeEcr } from './fakes';

const NAME = 'bulkhead-pattern/price-app';

describe('cleanRepository', () => {
  test('refuses without confirmation, says what it would delete, and calls nothing', async () => {
    const ecr = new FakeEcr({ repositories: [NAME] });

    await expect(
      cleanRepository({ repository: NAME, confirmed: false }, ecr, () => undefined),
    ).rejects.toThrow(
      new ImageError(
        `would delete repository '${NAME}' and every image in it (eu-west-1); pass '--yes' to delete them`,
      ),
    );
    expect(ecr.calls).toEqual([]);
  });

  test('deletes the repository and its images when confirmed', async () => {
    const ecr = new FakeEcr({ repositories: [NAME] });
    const lines: string[] = [];

    await cleanRepository({ repository: NAME, confirmed: true }, ecr, (line) => lines.push(line));

    expect(ecr.calls).toEqual(['DeleteRepository']);
    expect(await ecr.findRepository(NAME)).toBeUndefined();
    expect(lines).toEqual([`deleting repository '${NAME}' and every image in it (eu-west-1)`]);
  });

  test('reports a repository that is already gone without failing', async () => {
    const ecr = new FakeEcr();
    const lines: string[] = [];

    await cleanRepository({ repository: NAME, confirmed: true }, ecr, (line) => lines.push(line));

    expect(lines).toEqual([
      `deleting repository '${NAME}' and every image in it (eu-west-1)`,
      `repository '${NAME}' does not exist in eu-west-1: nothing to delete`,
    ]);
  });

  test('rejects an invalid repository name before any call', async () => {
    const ecr = new FakeEcr();

    await expect(
      cleanRepository({ repository: 'A', confirmed: true }, ecr, () => undefined),
    ).rejects.toThrow(
      new ImageError(
        "'--repository' must be 2 to 256 characters of lowercase letters and digits, in parts " +
          "separated by '/' and joined inside a part by single '.', '_' or '-' (got 'A'), " +
          "e.g. 'bulkhead-pattern/price-app'",
      ),
    );
    expect(ecr.calls).toEqual([]);
  });
});
