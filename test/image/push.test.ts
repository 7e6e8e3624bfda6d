import {
  ECRClient,
  DescribeRepositoriesCommand,
  CreateRepositoryCommand,
  DescribeImagesCommand,
  GetAuthorizationTokenCommand,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { Docker } from '../../src/image/docker';
import { SdkEcr } from '../../src/image/ecr';
import { ImageError } from '../../src/image/errors';
import { pushImage, PushOptions } from '../../src/image/push';
import { FakeEcr, FakeEcrState, RecordingRunner, rejection, Responder, startsWith } from './fakes';

const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bulkhead-pattern/price-app';
const OPTIONS: PushOptions = {
  repository: 'bulkhead-pattern/price-app',
  platforms: ['linux/amd64', 'linux/arm64'],
  context: '.',
  valuesFile: '.image-values.yaml',
};

/** Everything the plan touches, recorded: ECR calls, commands, files and lines. */
function world(state: FakeEcrState = {}, respond?: Responder) {
  const ecr = new FakeEcr(state);
  const runner = new RecordingRunner(respond);
  const files = new Map<string, string>();
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  const deps = {
    ecr,
    docker: new Docker(runner, log),
    deriveTag: async () => ({ tag: '1a2b3c4d5e6f', reason: 'git commit 1a2b3c4d5e6f' }),
    writeFile: async (path: string, text: string) => void files.set(path, text),
    log,
  };
  return { ecr, runner, files, lines, deps };
}

describe('pushImage', () => {
  test('creates the repository, logs in, builds, pushes and writes the values file', async () => {
    const { ecr, runner, files, lines, deps } = world();

    const result = await pushImage(OPTIONS, deps);

    expect(result).toEqual({
      image: `${URI}:1a2b3c4d5e6f`,
      repositoryUri: URI,
      tag: '1a2b3c4d5e6f',
      built: true,
    });
    expect(ecr.calls).toEqual([
      'DescribeRepositories',
      'CreateRepository',
      'DescribeImages',
      'GetAuthorizationToken',
    ]);
    expect(runner.argv()).toEqual([
      ['docker', 'info', '--format', '{{.ServerVersion}}'],
      ['docker', 'buildx', 'version'],
      [
        'docker',
        'login',
        '--username',
        'AWS',
        '--password-stdin',
        'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      ],
      [
        'docker',
        'buildx',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--push',
        '-t',
        `${URI}:1a2b3c4d5e6f`,
        '.',
      ],
    ]);
    expect([...files.keys()]).toEqual(['.image-values.yaml']);
    expect(files.get('.image-values.yaml')).toContain(
      `  repository: ${URI}\n  tag: 1a2b3c4d5e6f\n`,
    );
    expect(lines).toEqual([
      'tag: 1a2b3c4d5e6f (git commit 1a2b3c4d5e6f)',
      "creating repository 'bulkhead-pattern/price-app' in eu-west-1 (scan on push, immutable tags, AES256)",
      'logging in to https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      `building ${URI}:1a2b3c4d5e6f for linux/amd64,linux/arm64`,
      'writing Helm values to .image-values.yaml',
      `image: ${URI}:1a2b3c4d5e6f`,
      'install: helm upgrade --install bulkhead ./charts -f .image-values.yaml',
    ]);
  });

  test('skips the build when the tag is already in the repository', async () => {
    const { ecr, runner, files, lines, deps } = world({
      repositories: ['bulkhead-pattern/price-app'],
      tags: ['1a2b3c4d5e6f'],
    });

    const result = await pushImage(OPTIONS, deps);

    expect(result.built).toBe(false);
    expect(ecr.calls).toEqual(['DescribeRepositories', 'DescribeImages']);
    expect(runner.argv()).toEqual([
      ['docker', 'info', '--format', '{{.ServerVersion}}'],
      ['docker', 'buildx', 'version'],
    ]);
    expect(lines).toContain(
      `${URI}:1a2b3c4d5e6f is already in the repository (tags are immutable): not building it again`,
    );
    expect(files.has('.image-values.yaml')).toBe(true);
  });

  test('uses --tag instead of deriving one', async () => {
    const { lines, deps } = world({ repositories: ['bulkhead-pattern/price-app'] });
    const derive = jest.fn(deps.deriveTag);

    const result = await pushImage(
      { ...OPTIONS, tag: 'release-7' },
      { ...deps, deriveTag: derive },
    );

    expect(result.tag).toBe('release-7');
    expect(derive).not.toHaveBeenCalled();
    expect(lines[0]).toBe('tag: release-7 (from --tag)');
  });

  test('falls back to docker build and push for one platform without buildx, and says so', async () => {
    const { runner, lines, deps } = world(
      { repositories: ['bulkhead-pattern/price-app'] },
      (command) =>
        startsWith(command, 'docker', 'buildx')
          ? { exitCode: 1, stderr: 'unknown command' }
          : undefined,
    );

    await pushImage({ ...OPTIONS, platforms: ['linux/amd64'] }, deps);

    expect(runner.argv().slice(-2)).toEqual([
      ['docker', 'build', '--platform', 'linux/amd64', '-t', `${URI}:1a2b3c4d5e6f`, '.'],
      ['docker', 'push', `${URI}:1a2b3c4d5e6f`],
    ]);
    expect(lines).toContain(
      'docker buildx is not installed: building with docker build, then docker push',
    );
  });

  test('rejects an invalid repository name before any call or command', async () => {
    const { ecr, runner, deps } = world();

    const error = await rejection(pushImage({ ...OPTIONS, repository: 'Price App' }, deps));

    expect(error.message).toBe(
      "'--repository' must be 2 to 256 characters of lowercase letters and digits, in parts " +
        "separated by '/' and joined inside a part by single '.', '_' or '-' (got 'Price App'), " +
        "e.g. 'bulkhead-pattern/price-app'",
    );
    expect(ecr.calls).toEqual([]);
    expect(runner.commands).toEqual([]);
  });

  test('rejects --tag latest before any call or command', async () => {
    const { ecr, runner, deps } = world();

    await expect(pushImage({ ...OPTIONS, tag: 'latest' }, deps)).rejects.toThrow(
      new ImageError(
        "'--tag' must not be 'latest': tags are immutable in this repository, so pass a tag that " +
          "names one build, or leave '--tag' out to derive it from the git commit",
      ),
    );
    expect(ecr.calls).toEqual([]);
    expect(runner.commands).toEqual([]);
  });

  test('checks docker before changing anything in AWS', async () => {
    const { ecr, deps } = world({}, () => ({
      exitCode: 1,
      stderr: 'Cannot connect to the Docker daemon',
    }));

    await expect(pushImage(OPTIONS, deps)).rejects.toThrow(
      new ImageError(
        "the docker daemon is not reachable ('docker info' exited with 1: Cannot connect to the " +
          'Docker daemon); start Docker and try again',
      ),
    );
    expect(ecr.calls).toEqual([]);
  });

  test('rejects several platforms without buildx before changing anything in AWS', async () => {
    const { ecr, deps } = world({}, (command) =>
      startsWith(command, 'docker', 'buildx') ? { exitCode: 1 } : undefined,
    );

    await expect(pushImage(OPTIONS, deps)).rejects.toThrow(
      new ImageError(
        'building for 2 platforms (linux/amd64,linux/arm64) needs docker buildx, which is not ' +
          "installed; install the buildx plugin, or pass one platform with '--platform linux/amd64'",
      ),
    );
    expect(ecr.calls).toEqual([]);
  });

  test('runs the whole plan against the SDK, with the calls aws-sdk-client-mock records', async () => {
    const client = new ECRClient({ region: 'eu-west-1' });
    const sdk = mockClient(client);
    sdk.on(DescribeRepositoriesCommand).resolves({
      repositories: [{ repositoryName: 'bulkhead-pattern/price-app', repositoryUri: URI }],
    });
    sdk
      .on(DescribeImagesCommand)
      .rejects(Object.assign(new Error('no tag'), { name: 'ImageNotFoundException' }));
    sdk.on(GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from('AWS:token-password').toString('base64'),
          proxyEndpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        },
      ],
    });
    const { runner, deps } = world();

    await pushImage(OPTIONS, { ...deps, ecr: new SdkEcr(client, 'eu-west-1') });

    expect(sdk.calls().map((call) => call.args[0].constructor.name)).toEqual([
      'DescribeRepositoriesCommand',
      'DescribeImagesCommand',
      'GetAuthorizationTokenCommand',
    ]);
    expect(sdk.commandCalls(CreateRepositoryCommand)).toHaveLength(0);
    const login = runner.commands.find((command) => startsWith(command, 'docker', 'login'))!;
    expect(login.stdin).toBe('token-password');
    expect(runner.argv().flat()).not.toContain('token-password');
  });
});
