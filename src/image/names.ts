import { ImageError } from './errors';

/** The ECR repository the image goes to unless `--repository` says otherwise. */
export const DEFAULT_REPOSITORY = 'bulkhead-pattern/price-app';

/** The platforms the image is built for unless `--platform` says otherwise. */
export const DEFAULT_PLATFORMS: readonly string[] = ['linux/amd64', 'linux/arm64'];

// ECR's own rule for repository names (CreateRepository's `repositoryName` pattern).
const REPOSITORY_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

// Docker's rule for tags, which ECR accepts as well.
const TAG_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

// Partition-agnostic: us-east-1, eu-west-1, us-gov-west-1, cn-north-1, eusc-de-east-1.
const REGION_PATTERN = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

// os/architecture with an optional variant: linux/amd64, linux/arm64, linux/arm/v7.
const PLATFORM_PATTERN = /^[a-z0-9]+\/[a-z0-9_]+(?:\/[a-z0-9]+)?$/;

/** Returns `name` when it is a valid ECR repository name; throws naming the rule otherwise. */
export function checkRepositoryName(name: string): string {
  if (name.length >= 2 && name.length <= 256 && REPOSITORY_PATTERN.test(name)) return name;
  throw new ImageError(
    `'--repository' must be 2 to 256 characters of lowercase letters and digits, in parts ` +
      `separated by '/' and joined inside a part by single '.', '_' or '-' ` +
      `(got '${name}'), e.g. '${DEFAULT_REPOSITORY}'`,
  );
}

/**
 * Returns `tag` when docker and ECR accept it as an image tag. `latest` is refused: the
 * repository's tags are immutable, so a moving tag could be pushed only once.
 */
export function checkTag(tag: string): string {
  if (tag.toLowerCase() === 'latest') {
    throw new ImageError(
      `'--tag' must not be 'latest': tags are immutable in this repository, so pass a tag ` +
        `that names one build, or leave '--tag' out to derive it from the git commit`,
    );
  }
  if (TAG_PATTERN.test(tag)) return tag;
  throw new ImageError(
    `'--tag' must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' ` +
      `(got '${tag}')`,
  );
}

/**
 * Returns `region` when it has the shape of an AWS region name. `source` says where it came
 * from, as the error shows it: `'--region'`, `'AWS_REGION'`, `the region of profile 'dev'`.
 */
export function checkRegion(region: string, source: string): string {
  if (REGION_PATTERN.test(region)) return region;
  throw new ImageError(
    `${source} must be an AWS region name such as 'eu-west-1' (got '${region}')`,
  );
}

/** Splits a comma-separated `--platform` value and checks each entry. */
export function parsePlatforms(value: string): string[] {
  const platforms = value.split(',').map((platform) => platform.trim());
  for (const platform of platforms) {
    if (!PLATFORM_PATTERN.test(platform)) {
      throw new ImageError(
        `'--platform' must be a comma-separated list of os/architecture pairs such as ` +
          `'linux/amd64,linux/arm64' (got '${value}')`,
      );
    }
  }
  if (new Set(platforms).size !== platforms.length) {
    throw new ImageError(`'--platform' lists a platform twice (got '${value}')`);
  }
  return platforms;
}
