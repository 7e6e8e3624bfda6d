import {
  AuthorizationData,
  CreateRepositoryCommand,
  CreateRepositoryCommandInput,
  DeleteRepositoryCommand,
  DeleteRepositoryCommandInput,
  DescribeImagesCommand,
  DescribeImagesCommandInput,
  DescribeRepositoriesCommand,
  DescribeRepositoriesCommandInput,
  ECRClient,
  GetAuthorizationTokenCommand,
  GetAuthorizationTokenCommandInput,
  Repository as SdkRepository,
} from '@aws-sdk/client-ecr';
import { ImageError, oneLine } from './errors';

/** An ECR repository, as far as the image commands need it. */
export interface Repository {
  /** e.g. `bulkhead-pattern/price-app` */
  readonly name: string;

  /** e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/bulkhead-pattern/price-app` */
  readonly uri: string;
}

/** What `docker login` needs. The password is a secret: it goes to docker on stdin only. */
export interface RegistryLogin {
  /** The registry, e.g. `https://123456789012.dkr.ecr.eu-west-1.amazonaws.com`. */
  readonly endpoint: string;
  readonly username: string;
  readonly password: string;
}

/**
 * The ECR calls the image commands make, and no others: one method per API call. The SDK
 * sits behind it, and the dry run prints the calls instead of making them.
 */
export interface EcrApi {
  /** The region the calls go to. */
  readonly region: string;

  /** DescribeRepositories for one name; `undefined` when the repository does not exist. */
  findRepository(name: string): Promise<Repository | undefined>;

  /** CreateRepository with scan on push, immutable tags and AES256 encryption. */
  createRepository(name: string): Promise<Repository>;

  /** DescribeImages for one tag: whether the repository already holds an image with it. */
  hasImageTag(name: string, tag: string): Promise<boolean>;

  /** GetAuthorizationToken, checked and decoded into a login for docker. */
  getLogin(): Promise<RegistryLogin>;

  /** DeleteRepository with force (images included); `false` when it does not exist. */
  deleteRepository(name: string): Promise<boolean>;
}

/** The exact input of each call, shared by the SDK implementation and the dry run. */
export const ecrRequests = {
  describeRepositories: (name: string): DescribeRepositoriesCommandInput => ({
    repositoryNames: [name],
  }),
  createRepository: (name: string): CreateRepositoryCommandInput => ({
    repositoryName: name,
    imageScanningConfiguration: { scanOnPush: true },
    imageTagMutability: 'IMMUTABLE',
    encryptionConfiguration: { encryptionType: 'AES256' },
  }),
  describeImages: (name: string, tag: string): DescribeImagesCommandInput => ({
    repositoryName: name,
    imageIds: [{ imageTag: tag }],
  }),
  getAuthorizationToken: (): GetAuthorizationTokenCommandInput => ({}),
  deleteRepository: (name: string): DeleteRepositoryCommandInput => ({
    repositoryName: name,
    force: true,
  }),
};

/** Returns the repository, creating it first when it does not exist. */
export async function ensureRepository(
  ecr: EcrApi,
  name: string,
  log: (line: string) => void,
): Promise<Repository> {
  const found = await ecr.findRepository(name);
  if (found) {
    log(`repository ${found.uri} exists`);
    return found;
  }
  log(`creating repository '${name}' in ${ecr.region} (scan on push, immutable tags, AES256)`);
  return ecr.createRepository(name);
}

/** `EcrApi` through the AWS SDK; credentials come from the SDK's default chain. */
export class SdkEcr implements EcrApi {
  public constructor(
    private readonly client: ECRClient,
    public readonly region: string,
  ) {}

  public async findRepository(name: string): Promise<Repository | undefined> {
    let answer;
    try {
      const input = ecrRequests.describeRepositories(name);
      answer = await this.client.send(new DescribeRepositoriesCommand(input));
    } catch (error) {
      if (isNamed(error, 'RepositoryNotFoundException')) return undefined;
      throw explainEcrError(error, 'DescribeRepositories', this.region);
    }
    return toRepository('DescribeRepositories', name, answer.repositories?.[0]);
  }

  public async createRepository(name: string): Promise<Repository> {
    let answer;
    try {
      const input = ecrRequests.createRepository(name);
      answer = await this.client.send(new CreateRepositoryCommand(input));
    } catch (error) {
      throw explainEcrError(error, 'CreateRepository', this.region);
    }
    return toRepository('CreateRepository', name, answer.repository);
  }

  public async hasImageTag(name: string, tag: string): Promise<boolean> {
    try {
      const input = ecrRequests.describeImages(name, tag);
      const answer = await this.client.send(new DescribeImagesCommand(input));
      return (answer.imageDetails ?? []).length > 0;
    } catch (error) {
      if (isNamed(error, 'ImageNotFoundException')) return false;
      throw explainEcrError(error, 'DescribeImages', this.region);
    }
  }

  public async getLogin(): Promise<RegistryLogin> {
    let data: AuthorizationData[] | undefined;
    try {
      const input = ecrRequests.getAuthorizationToken();
      data = (await this.client.send(new GetAuthorizationTokenCommand(input))).authorizationData;
    } catch (error) {
      throw explainEcrError(error, 'GetAuthorizationToken', this.region);
    }
    return decodeLogin(data);
  }

  public async deleteRepository(name: string): Promise<boolean> {
    try {
      const input = ecrRequests.deleteRepository(name);
      await this.client.send(new DeleteRepositoryCommand(input));
      return true;
    } catch (error) {
      if (isNamed(error, 'RepositoryNotFoundException')) return false;
      throw explainEcrError(error, 'DeleteRepository', this.region);
    }
  }
}

/** Checks the answer of GetAuthorizationToken and decodes it; never echoes the token. */
export function decodeLogin(data: readonly AuthorizationData[] | undefined): RegistryLogin {
  const token = data?.[0]?.authorizationToken;
  const endpoint = data?.[0]?.proxyEndpoint;
  if (!token) {
    throw new ImageError('GetAuthorizationToken answered without an authorization token');
  }
  if (!endpoint) {
    throw new ImageError('GetAuthorizationToken answered without a proxy endpoint');
  }
  const decoded = isBase64(token) ? Buffer.from(token, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon < 1 || colon === decoded.length - 1) {
    throw new ImageError(
      `GetAuthorizationToken answered with a token that is not base64 of 'user:password'`,
    );
  }
  return { endpoint, username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(text);
}

function toRepository(call: string, name: string, repository?: SdkRepository): Repository {
  if (!repository?.repositoryUri) {
    throw new ImageError(`${call} answered without the URI of repository '${name}'`);
  }
  return { name: repository.repositoryName ?? name, uri: repository.repositoryUri };
}

function isNamed(error: unknown, name: string): boolean {
  return error instanceof Error && error.name === name;
}

// Exception names the SDK and ECR give to credentials that are missing, wrong or expired.
const REJECTED_CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'ExpiredToken',
]);

// Node's error codes for a host that cannot be resolved or reached: usually a mistyped
// region (the endpoint api.ecr.<region>.amazonaws.com does not exist) or no network.
const UNREACHABLE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT']);

/**
 * Turns an SDK failure into one line with its likely cause: missing or rejected
 * credentials, a missing permission, a wrong region. The original error stays as `cause`.
 */
export function explainEcrError(error: unknown, call: string, region: string): ImageError {
  const name = error instanceof Error ? error.name : 'Error';
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const code = (error as { code?: unknown } | undefined)?.code;
  const explain = (text: string): ImageError => new ImageError(text, { cause: error });

  if (name === 'CredentialsProviderError') {
    return explain(
      `${call} failed: no AWS credentials found (set AWS_PROFILE, or AWS_ACCESS_KEY_ID and ` +
        `AWS_SECRET_ACCESS_KEY, or log in with 'aws sso login')`,
    );
  }
  if (REJECTED_CREDENTIALS.has(name)) {
    return explain(
      `${call} failed: AWS rejected the credentials (${name}: ${message}); ` +
        `refresh them or choose another profile with AWS_PROFILE`,
    );
  }
  if (name === 'AccessDeniedException') {
    return explain(
      `${call} was denied in ${region} (AccessDeniedException: ${message}); ` +
        `the identity needs the 'ecr:${call}' permission`,
    );
  }
  if ((typeof code === 'string' && UNREACHABLE.has(code)) || name === 'TimeoutError') {
    return explain(
      `${call} failed: ECR in region '${region}' cannot be reached (${message}); ` +
        `check the region name and the network`,
    );
  }
  return explain(`${call} failed in region '${region}' (${name}: ${message})`);
}
