import { ImageError } from '../../src/image/errors';
import { checkRegion, checkRepositoryName, checkTag, parsePlatforms } from '../../src/image/names';

describe('checkRepositoryName', () => {
  test.each(['bulkhead-pattern/price-app', 'ab', 'team.a/sub_dir/app-1', 'a'.repeat(256)])(
    'accepts %s',
    (name) => {
      expect(checkRepositoryName(name)).toBe(name);
    },
  );

  test.each([
    'Bulkhead/Price',
    'a',
    'price app',
    'price//app',
    '-price',
    'price-',
    'a--b',
    'a'.repeat(257),
  ])('rejects %s, naming the rule and the value', (name) => {
    expect(() => checkRepositoryName(name)).toThrow(
      new ImageError(
        "'--repository' must be 2 to 256 characters of lowercase letters and digits, in parts " +
          "separated by '/' and joined inside a part by single '.', '_' or '-' " +
          `(got '${name}'), e.g. 'bulkhead-pattern/price-app'`,
      ),
    );
  });
});

describe('checkTag', () => {
  test.each(['1a2b3c4d5e6f', '1a2b3c4d5e6f-dirty-0123456789ab', 'v1.2.3', '_x'])(
    'accepts %s',
    (tag) => {
      expect(checkTag(tag)).toBe(tag);
    },
  );

  test.each(['latest', 'LATEST'])('rejects %s, because tags are immutable', (tag) => {
    expect(() => checkTag(tag)).toThrow(
      new ImageError(
        "'--tag' must not be 'latest': tags are immutable in this repository, so pass a tag " +
          "that names one build, or leave '--tag' out to derive it from the git commit",
      ),
    );
  });

  test.each(['-x', '.x', 'a/b', 'a:b', '', 'a'.repeat(129)])('rejects %p', (tag) => {
    expect(() => checkTag(tag)).toThrow(
      new ImageError(
        "'--tag' must be 1 to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-' " +
          `(got '${tag}')`,
      ),
    );
  });
});

describe('checkRegion', () => {
  test.each(['eu-west-1', 'us-gov-west-1', 'ap-southeast-2', 'cn-north-1', 'eusc-de-east-1'])(
    'accepts %s',
    (region) => {
      expect(checkRegion(region, "'--region'")).toBe(region);
    },
  );

  test.each(['eu-west', 'EU-WEST-1', 'euwest1', 'eu-west-1 '])(
    'rejects %p, naming the source',
    (region) => {
      expect(() => checkRegion(region, "'AWS_REGION'")).toThrow(
        new ImageError(
          `'AWS_REGION' must be an AWS region name such as 'eu-west-1' (got '${region}')`,
        ),
      );
    },
  );
});

describe('parsePlatforms', () => {
  test('splits a comma-separated list', () => {
    expect(parsePlatforms('linux/amd64, linux/arm64,linux/arm/v7')).toEqual([
      'linux/amd64',
      'linux/arm64',
      'linux/arm/v7',
    ]);
  });

  test.each(['amd64', 'linux/amd64,', 'Linux/AMD64', ''])('rejects %p', (value) => {
    expect(() => parsePlatforms(value)).toThrow(
      new ImageError(
        "'--platform' must be a comma-separated list of os/architecture pairs such as " +
          `'linux/amd64,linux/arm64' (got '${value}')`,
      ),
    );
  });

  test('rejects a platform listed twice', () => {
    expect(() => parsePlatforms('linux/amd64,linux/amd64')).toThrow(
      new ImageError("'--platform' lists a platform twice (got 'linux/amd64,linux/amd64')"),
    );
  });
});
