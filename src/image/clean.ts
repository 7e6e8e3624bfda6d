import { ImageError } from './errors';
import { EcrApi } from './ecr';
import { checkRepositoryName } from './names';

/** What `image:clean` deletes. */
export interface CleanOptions {
  /** ECR repository name, e.g. `bulkhead-pattern/price-app`. */
  readonly repository: string;

  /** The explicit confirmation (`--yes`); without it nothing is deleted. */
  readonly confirmed: boolean;
}

/**
 * Deletes the repository and every image in it (DeleteRepository with force), only when
 * confirmed. Unconfirmed, it fails with a line that says what it would delete. A repository
 * that is already gone is not an error: the cleanup's goal is reached.
 */
export async function cleanRepository(
  options: CleanOptions,
  ecr: EcrApi,
  log: (line: string) => void,
): Promise<void> {
  const target = `repository '${options.repository}' and every image in it (${ecr.region})`;
  checkRepositoryName(options.repository);
  if (!options.confirmed) {
    throw new ImageError(`would delete ${target}; pass '--yes' to delete them`);
  }
  log(`deleting ${target}`);
  if (!(await ecr.deleteRepository(options.repository))) {
    log(`repository '${options.repository}' does not exist in ${ecr.region}: nothing to delete`);
  }
}
