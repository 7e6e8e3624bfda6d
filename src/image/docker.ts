import { ImageError, oneLine } from './errors';
import { RegistryLogin } from './ecr';
import { Command, CommandResult, CommandRunner, ProgramNotFoundError } from './runner';

/** One image to build and push. */
export interface BuildRequest {
  /** Repository URI and tag, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1a2b3c`. */
  readonly image: string;

  /** e.g. `['linux/amd64', 'linux/arm64']` */
  readonly platforms: readonly string[];

  /** The build context; docker reads `Dockerfile` in it. */
  readonly context: string;
}

/** `buildx`: `docker buildx build --push`; `build`: `docker build`, then `docker push`. */
export type Builder = 'buildx' | 'build';

// The permissions a push needs on the repository, named when docker reports a denial.
const PUSH_PERMISSIONS =
  'ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ' +
  'ecr:CompleteLayerUpload and ecr:PutImage';

/**
 * The docker steps of the image pipeline, run through an injected `CommandRunner`: each is
 * an argument array, and the registry password reaches docker on stdin only.
 */
export class Docker {
  public constructor(
    private readonly runner: CommandRunner,
    private readonly log: (line: string) => void,
  ) {}

  /** Fails with one line unless docker is installed and its daemon answers. */
  public async checkDaemon(): Promise<void> {
    const result = await this.run(['info', '--format', '{{.ServerVersion}}'], 'capture');
    if (result.exitCode !== 0) {
      throw new ImageError(
        `the docker daemon is not reachable ('docker info' exited with ${result.exitCode}: ` +
          `${lastLine(result.stderr)}); start Docker and try again`,
      );
    }
  }

  /**
   * Chooses how to build for the platforms: `buildx` when the plugin is installed, `build`
   * (then `docker push`) for one platform without it. Several platforms need buildx.
   */
  public async chooseBuilder(platforms: readonly string[]): Promise<Builder> {
    if ((await this.run(['buildx', 'version'], 'capture')).exitCode === 0) return 'buildx';
    if (platforms.length > 1) {
      throw new ImageError(
        `building for ${platforms.length} platforms (${platforms.join(',')}) needs docker ` +
          `buildx, which is not installed; install the buildx plugin, or pass one platform ` +
          `with '--platform linux/amd64'`,
      );
    }
    this.log('docker buildx is not installed: building with docker build, then docker push');
    return 'build';
  }

  /** `docker login` to the registry, with the password on stdin. */
  public async login(login: RegistryLogin): Promise<void> {
    this.log(`logging in to ${login.endpoint}`);
    const args = ['login', '--username', login.username, '--password-stdin', login.endpoint];
    const result = await this.run(args, 'capture', login.password);
    if (result.exitCode !== 0) {
      throw new ImageError(
        `docker login to ${login.endpoint} failed (exit ${result.exitCode}: ` +
          `${lastLine(result.stderr)})`,
      );
    }
  }

  /**
   * Builds and pushes the image with the builder `chooseBuilder` picked: one
   * `docker buildx build --push`, or `docker build` then `docker push`.
   */
  public async buildAndPush(request: BuildRequest, builder: Builder): Promise<void> {
    const platforms = request.platforms.join(',');
    this.log(`building ${request.image} for ${platforms}`);
    if (builder === 'buildx') {
      const build = ['buildx', 'build', '--platform', platforms, '--push'];
      await this.show([...build, '-t', request.image, request.context], request);
      return;
    }
    await this.show(
      ['build', '--platform', platforms, '-t', request.image, request.context],
      request,
    );
    this.log(`pushing ${request.image}`);
    await this.show(['push', request.image], request);
  }

  /** Runs a step whose progress the user watches, and explains its failure. */
  private async show(args: string[], request: BuildRequest): Promise<void> {
    const result = await this.run(args, 'show');
    if (result.exitCode !== 0) throw explainBuildFailure(args, result, request);
  }

  private async run(args: string[], output: Command['output'], stdin?: string) {
    const command: Command = { program: 'docker', args, output, stdin };
    try {
      return await this.runner.run(command);
    } catch (error) {
      if (error instanceof ProgramNotFoundError) {
        throw new ImageError(
          'docker was not found on PATH; install Docker with the buildx plugin and try again',
          { cause: error },
        );
      }
      throw error;
    }
  }
}

/** Finds the line in docker's standard error that says why a build or push failed. */
function explainBuildFailure(args: string[], result: CommandResult, request: BuildRequest) {
  const step = `docker ${args[0] === 'buildx' ? 'buildx build' : args[0]}`;
  const lines = result.stderr.split('\n').map(oneLine).filter(Boolean);
  const find = (pattern: RegExp) => lines.find((line) => pattern.test(line));

  const immutable = find(/already exists.*immutable|immutable.*already exists/i);
  if (immutable) {
    return new ImageError(
      `${step} was refused: the tag of ${request.image} is already in the repository and tags ` +
        `are immutable; commit your change or pass another '--tag'`,
    );
  }
  const denied = find(/denied|unauthorized|not authorized/i);
  if (denied) {
    return new ImageError(
      `push of ${request.image} was denied (${denied}); the identity needs ${PUSH_PERMISSIONS}`,
    );
  }
  if (find(/multi-platform build is not supported/i)) {
    return new ImageError(
      `${step} cannot build for ${request.platforms.join(',')} with the default 'docker' ` +
        `builder; run 'docker buildx create --use' once, or pass one platform with '--platform'`,
    );
  }
  return new ImageError(
    `${step} failed (exit ${result.exitCode}: ${lastLine(result.stderr)}); ` +
      `docker's output above has the details`,
  );
}

function lastLine(text: string): string {
  const lines = text.split('\n').map(oneLine).filter(Boolean);
  return lines[lines.length - 1] ?? 'no output';
}
