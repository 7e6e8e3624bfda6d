import {
  CreateRepositoryCommand,
  DeleteRepositoryCommand,
  DescribeImagesCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  ImageNotFoundException,
  RepositoryNotFoundException,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeLogin, ensureRepository, explainEcrError, SdkEcr } from '../../src/image/ecr';
import { ImageError } from '../../src/image/errors';

const NAME = 'bulkhead-pattern/price-app';
const URI = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${NAME}`;

/** A fresh client with its own mock, so no test sees another's answers. */
function mockedEcr() {
  const client = new ECRClient({ region: 'eu-west-1' });
  const sdk = mockClient(client);
  return { sdk, ecr: new SdkEcr(client, 'eu-west-1') };
}

function namedError(name: string, message: string, extra: object = {}): Error {
  return Object.assign(new Error(message), { name }, extra);
}

function token(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

describe('SdkEcr.findRepository and ensureRepository', () => {
  test('returns the existing repository without creating it', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(DescribeRepositoriesCommand, { repositoryNames: [NAME] }).resolves({
      repositories: [{ repositoryName: NAME, repositoryUri: URI }],
    });
    const lines: string[] = [];

    const repository = await ensureRepository(ecr, NAME, (line) => lines.push(line));

    expect(repository).toEqual({ name: NAME, uri: URI });
    expect(sdk.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
    expect(lines).toEqual([`repository ${URI} exists`]);
  });

  test('creates a missing repository with scan on push, immutable tags and AES256', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk
      .on(DescribeRepositoriesCommand)
      .rejects(new RepositoryNotFoundException({ message: 'not found', $metadata: {} }));
    sdk.on(CreateRepositoryCommand).resolves({
      repository: { repositoryName: NAME, repositoryUri: URI },
    });
    const lines: string[] = [];

    const repository = await ensureRepository(ecr, NAME, (line) => lines.push(line));

    expect(repository).toEqual({ name: NAME, uri: URI });
    const created = sdk.commandCalls(CreateRepositoryCommand);
    expect(created).toHaveLength(1);
    expect(created[0].args[0].input).toEqual({
      repositoryName: NAME,
      imageScanningConfiguration: { scanOnPush: true },
      imageTagMutability: 'IMMUTABLE',
      encryptionConfiguration: { encryptionType: 'AES256' },
    });
    expect(lines).toEqual([
      `creating repository '${NAME}' in eu-west-1 (scan on push, immutable tags, AES256)`,
    ]);
  });

  test('recognises a missing repository by the exception name alone', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(DescribeRepositoriesCommand).rejects(namedError('RepositoryNotFoundException', 'gone'));

    expect(await ecr.findRepository(NAME)).toBeUndefined();
  });

  test('rethrows a denied DescribeRepositories with the missing permission and the cause', async () => {
    const { sdk, ecr } = mockedEcr();
    const denied = namedError(
      'AccessDeniedException',
      'User: arn:aws:iam::1:user/x is not authorized',
    );
    sdk.on(DescribeRepositoriesCommand).rejects(denied);

    const error = await ecr.findRepository(NAME).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ImageError);
    expect((error as ImageError).message).toBe(
      'DescribeRepositories was denied in eu-west-1 (AccessDeniedException: User: ' +
        'arn:aws:iam::1:user/x is not authorized); the identity needs the ' +
        "'ecr:DescribeRepositories' permission",
    );
    expect((error as ImageError).cause).toBe(denied);
    expect(sdk.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
  });

  test('rethrows a failed CreateRepository with its cause', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(DescribeRepositoriesCommand).rejects(namedError('RepositoryNotFoundException', 'gone'));
    const limit = namedError('LimitExceededException', 'too many repositories');
    sdk.on(CreateRepositoryCommand).rejects(limit);

    const error = await ensureRepository(ecr, NAME, () => undefined).catch((caught) => caught);

    expect(error.message).toBe(
      "CreateRepository failed in region 'eu-west-1' (LimitExceededException: too many repositories)",
    );
    expect(error.cause).toBe(limit);
  });

  test('rejects an answer without a repository URI', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(DescribeRepositoriesCommand).resolves({ repositories: [{ repositoryName: NAME }] });

    await expect(ecr.findRepository(NAME)).rejects.toThrow(
      new ImageError(`DescribeRepositories answered without the URI of repository '${NAME}'`),
    );
  });
});

describe('explainEcrError', () => {
  test('names missing credentials and how to provide them', () => {
    const missing = namedError('CredentialsProviderError', 'Could not load credentials');

    const error = explainEcrError(missing, 'DescribeRepositories', 'eu-west-1');

    expect(error.message).toBe(
      'DescribeRepositories failed: no AWS credentials found (set AWS_PROFILE, or ' +
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or log in with 'aws sso login')",
    );
    expect(error.cause).toBe(missing);
  });

  test('names rejected credentials', () => {
    const rejected = namedError(
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
    );

    expect(explainEcrError(rejected, 'GetAuthorizationToken', 'eu-west-1').message).toBe(
      'GetAuthorizationToken failed: AWS rejected the credentials (UnrecognizedClientException: ' +
        'The security token included in the request is invalid.); refresh them or choose ' +
        'another profile with AWS_PROFILE',
    );
  });

  test('points at the region when the endpoint cannot be resolved', () => {
    const unresolved = namedError(
      'Error',
      'getaddrinfo ENOTFOUND api.ecr.eu-wset-1.amazonaws.com',
      {
        code: 'ENOTFOUND',
      },
    );

    expect(explainEcrError(unresolved, 'DescribeRepositories', 'eu-wset-1').message).toBe(
      "DescribeRepositories failed: ECR in region 'eu-wset-1' cannot be reached (getaddrinfo " +
        'ENOTFOUND api.ecr.eu-wset-1.amazonaws.com); check the region name and the network',
    );
  });

  test('keeps a multi-line message on one line', () => {
    const odd = namedError('ServerException', 'first\n  second');

    expect(explainEcrError(odd, 'DescribeImages', 'eu-west-1').message).toBe(
      "DescribeImages failed in region 'eu-west-1' (ServerException: first second)",
    );
  });
});

describe('SdkEcr.getLogin', () => {
  test('decodes the token into user, password and proxy endpoint', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        { authorizationToken: token('AWS:s3cret:with:colons'), proxyEndpoint: 'https://1.dkr.ecr' },
      ],
    });

    expect(await ecr.getLogin()).toEqual({
      endpoint: 'https://1.dkr.ecr',
      username: 'AWS',
      password: 's3cret:with:colons',
    });
  });

  test('rejects an answer without authorization data', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(GetAuthorizationTokenCommand).resolves({ authorizationData: [] });

    await expect(ecr.getLogin()).rejects.toThrow(
      new ImageError('GetAuthorizationToken answered without an authorization token'),
    );
  });

  test('rejects a token without a proxy endpoint', () => {
    expect(() => decodeLogin([{ authorizationToken: token('AWS:pw') }])).toThrow(
      new ImageError('GetAuthorizationToken answered without a proxy endpoint'),
    );
  });

  test.each([
    ['is not base64', 'not base64!'],
    ['has no colon', token('AWSpassword')],
    ['has no user', token(':password')],
    ['has no password', token('AWS:')],
  ])('rejects a token that %s, without echoing it', (_case, malformed) => {
    const data = [{ authorizationToken: malformed, proxyEndpoint: 'https://1.dkr.ecr' }];

    // The whole message is fixed, so it cannot carry any part of the token.
    expect(() => decodeLogin(data)).toThrow(
      new ImageError(
        "GetAuthorizationToken answered with a token that is not base64 of 'user:password'",
      ),
    );
  });

  test('rethrows a failed call with the likely cause', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(GetAuthorizationTokenCommand).rejects(namedError('AccessDeniedException', 'no'));

    await expect(ecr.getLogin()).rejects.toThrow(
      'GetAuthorizationToken was denied in eu-west-1 (AccessDeniedException: no); the identity ' +
        "needs the 'ecr:GetAuthorizationToken' permission",
    );
  });
});

describe('SdkEcr.hasImageTag', () => {
  test('answers true when DescribeImages finds the tag', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk
      .on(DescribeImagesCommand, { repositoryName: NAME, imageIds: [{ imageTag: 'abc' }] })
      .resolves({ imageDetails: [{ imageTags: ['abc'] }] });

    expect(await ecr.hasImageTag(NAME, 'abc')).toBe(true);
  });

  test('answers false on ImageNotFoundException', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk
      .on(DescribeImagesCommand)
      .rejects(new ImageNotFoundException({ message: 'no such tag', $metadata: {} }));

    expect(await ecr.hasImageTag(NAME, 'abc')).toBe(false);
  });
});

describe('SdkEcr.deleteRepository', () => {
  test('deletes with force, so the images go too', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(DeleteRepositoryCommand).resolves({});

    expect(await ecr.deleteRepository(NAME)).toBe(true);
    expect(sdk.commandCalls(DeleteRepositoryCommand)[0].args[0].input).toEqual({
      repositoryName: NAME,
      force: true,
    });
  });

  test('answers false when the repository does not exist', async () => {
    const { sdk, ecr } = mockedEcr();
    sdk.on(DeleteRepositoryCommand).rejects(namedError('RepositoryNotFoundException', 'gone'));

    expect(await ecr.deleteRepository(NAME)).toBe(false);
  });
});
