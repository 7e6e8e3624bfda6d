import { DescribeRepositoriesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { CliDeps, main } from '../../src/image/cli';
import { SdkEcr } from '../../src/image/ecr';
import { ProgramNotFoundError } from '../../src/image/runner';
import { FakeEcr, RecordingRunner, Responder, startsWith } from './fakes';

const COMMIT = '1a2b3c4d5e6f';
const URI = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bulkhead-pattern/price-app';

/** git answers a clean tree at COMMIT; docker answers through `docker`. */
function runnerWith(docker: Responder = () => undefined): RecordingRunner {
  return new RecordingRunner((command) => {
    if (startsWith(command, 'git', 'rev-parse')) return { stdout: `${COMMIT}\n` };
    if (command.program === 'git') return { stdout: '' };
    return docker(command);
  });
}

/** A CLI whose every outside effect is recorded; `ecr` is what the real run would get. */
function cli(overrides: Partial<CliDeps> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const files = new Map<string, string>();
  const ecrRegions: string[] = [];
  const fake = new FakeEcr({ repositories: ['bulkhead-pattern/price-app'] });
  const deps: CliDeps = {
    env: {},
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    loadRegion: async () => undefined,
    ecr: (region) => {
      ecrRegions.push(region);
      return fake;
    },
    runner: runnerWith(),
    writeFile: async (path, text) => void files.set(path, text),
    ...overrides,
  };
  return { out, err, files, ecrRegions, fake, deps, run: (...argv: string[]) => main(argv, deps) };
}

describe('image push --dry-run', () => {
  test('prints every AWS call and docker command of the plan and makes none', async () => {
    const runner = runnerWith(() => new Error('docker must not run in a dry run'));
    const { out, err, files, ecrRegions, run } = cli({ runner });

    const code = await run('push', '--dry-run', '--region', 'eu-west-1');

    const registry = '<account-id>.dkr.ecr.eu-west-1.amazonaws.com';
    const image = `${registry}/bulkhead-pattern/price-app:${COMMIT}`;
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toEqual([
      `tag: ${COMMIT} (git commit ${COMMIT})`,
      "[dry run] $ docker info --format '{{.ServerVersion}}'",
      '[dry run] $ docker buildx version',
      '[dry run] ECR DescribeRepositories {"repositoryNames":["bulkhead-pattern/price-app"]} (eu-west-1)',
      "[dry run]   assuming repository 'bulkhead-pattern/price-app' does not exist yet",
      "creating repository 'bulkhead-pattern/price-app' in eu-west-1 (scan on push, immutable tags, AES256)",
      '[dry run] ECR CreateRepository {"repositoryName":"bulkhead-pattern/price-app",' +
        '"imageScanningConfiguration":{"scanOnPush":true},"imageTagMutability":"IMMUTABLE",' +
        '"encryptionConfiguration":{"encryptionType":"AES256"}} (eu-west-1)',
      '[dry run] ECR DescribeImages {"repositoryName":"bulkhead-pattern/price-app",' +
        `"imageIds":[{"imageTag":"${COMMIT}"}]} (eu-west-1)`,
      `[dry run]   assuming tag '${COMMIT}' is not in the repository yet`,
      '[dry run] ECR GetAuthorizationToken {} (eu-west-1)',
      `logging in to https://${registry}`,
      `[dry run] $ docker login --username AWS --password-stdin 'https://${registry}'  (input on stdin, not shown)`,
      `building ${image} for linux/amd64,linux/arm64`,
      `[dry run] $ docker buildx build --platform linux/amd64,linux/arm64 --push -t '${image}' .`,
      'writing Helm values to .image-values.yaml',
      '[dry run] not writing .image-values.yaml; it would hold:',
      '[dry run]   # Written by `npx projen image:push`: the image the chart runs.',
      '[dry run]   # Install or upgrade with: helm upgrade --install bulkhead ./charts -f .image-values.yaml',
      '[dry run]   image:',
      `[dry run]     repository: ${registry}/bulkhead-pattern/price-app`,
      `[dry run]     tag: ${COMMIT}`,
      `image: ${image}`,
      'install: helm upgrade --install bulkhead ./charts -f .image-values.yaml',
      '[dry run] done: no AWS call, no docker command, no file written',
    ]);
    expect(runner.commands.every((command) => command.program === 'git')).toBe(true);
    expect(ecrRegions).toEqual([]);
    expect(files.size).toBe(0);
  });
});

describe('image push', () => {
  test('pushes with the options given and writes the values file where asked', async () => {
    const runner = runnerWith();
    const { out, files, ecrRegions, run } = cli({ runner, env: { AWS_REGION: 'eu-west-1' } });

    const code = await run(
      'push',
      '--repository=bulkhead-pattern/price-app',
      '--tag',
      'v7',
      '--platform',
      'linux/arm64',
      '--context',
      'app',
      '--values-file',
      'out.yaml',
    );

    expect(code).toBe(0);
    expect(ecrRegions).toEqual(['eu-west-1']);
    expect(runner.argv().at(-1)).toEqual([
      'docker',
      'buildx',
      'build',
      '--platform',
      'linux/arm64',
      '--push',
      '-t',
      `${URI}:v7`,
      'app',
    ]);
    expect(files.get('out.yaml')).toContain(`  repository: ${URI}\n  tag: v7\n`);
    expect(out.slice(-2)).toEqual([
      `image: ${URI}:v7`,
      'install: helm upgrade --install bulkhead ./charts -f out.yaml',
    ]);
  });

  test('accepts the -- that projen passes on before the options', async () => {
    const { ecrRegions, run } = cli();

    expect(await run('push', '--', '--region', 'eu-central-1', '--tag', 'v1')).toBe(0);
    expect(ecrRegions).toEqual(['eu-central-1']);
  });

  test('prints help for the command and exits 0', async () => {
    const { out, run } = cli();

    expect(await run('push', '--help')).toBe(0);
    expect(out[0]).toBe(
      'npx projen image:push -- [options]: builds the price image, pushes it to ECR and writes ' +
        'a Helm values file for it',
    );
    expect(out.map((line) => line.trim().split(' ')[0])).toEqual([
      'npx',
      '--region',
      '--repository',
      '--dry-run',
      '--help',
      '--tag',
      '--platform',
      '--context',
      '--values-file',
    ]);
  });
});

describe('image push failures: one line on stderr and a non-zero exit', () => {
  async function failure(deps: Partial<CliDeps>, ...argv: string[]) {
    const { out, err, run } = cli(deps);
    const code = await run(...argv);
    return { code, err, out };
  }

  test('no region', async () => {
    const { code, err } = await failure({ env: {} }, 'push');

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        "error: no AWS region given: pass '--region eu-west-1', set AWS_REGION, or set 'region' " +
          'in the AWS profile (default)',
      ],
    });
  });

  test('no credentials', async () => {
    const client = new ECRClient({ region: 'eu-west-1' });
    mockClient(client)
      .on(DescribeRepositoriesCommand)
      .rejects(
        Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        }),
      );

    const { code, err } = await failure(
      { ecr: (region) => new SdkEcr(client, region) },
      'push',
      '--region',
      'eu-west-1',
    );

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        'error: DescribeRepositories failed: no AWS credentials found (set AWS_PROFILE, or ' +
          "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or log in with 'aws sso login')",
      ],
    });
  });

  test('docker missing', async () => {
    const runner = runnerWith(() => new ProgramNotFoundError('docker'));

    const { code, err } = await failure({ runner }, 'push', '--region', 'eu-west-1');

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        'error: docker was not found on PATH; install Docker with the buildx plugin and try again',
      ],
    });
  });

  test('docker daemon down', async () => {
    const runner = runnerWith(() => ({
      exitCode: 1,
      stderr:
        'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
    }));

    const { code, err } = await failure({ runner }, 'push', '--region', 'eu-west-1');

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        "error: the docker daemon is not reachable ('docker info' exited with 1: Cannot connect " +
          'to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); ' +
          'start Docker and try again',
      ],
    });
  });

  test('buildx missing for a multi-platform build', async () => {
    const runner = runnerWith((command) =>
      startsWith(command, 'docker', 'buildx') ? { exitCode: 1 } : undefined,
    );

    const { code, err } = await failure({ runner }, 'push', '--region', 'eu-west-1');

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        'error: building for 2 platforms (linux/amd64,linux/arm64) needs docker buildx, which is ' +
          "not installed; install the buildx plugin, or pass one platform with '--platform linux/amd64'",
      ],
    });
  });

  test('push denied', async () => {
    const runner = runnerWith((command) =>
      startsWith(command, 'docker', 'buildx', 'build')
        ? {
            exitCode: 1,
            stderr: `ERROR: failed to push ${URI}:${COMMIT}: denied: Not Authorized\n`,
          }
        : undefined,
    );

    const { code, err } = await failure({ runner }, 'push', '--region', 'eu-west-1');

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        `error: push of ${URI}:${COMMIT} was denied (ERROR: failed to push ${URI}:${COMMIT}: ` +
          'denied: Not Authorized); the identity needs ecr:BatchCheckLayerAvailability, ' +
          'ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage',
      ],
    });
  });

  test('invalid repository name', async () => {
    const { code, err } = await failure(
      {},
      'push',
      '--region',
      'eu-west-1',
      '--repository',
      'Price_App',
    );

    expect({ code, err }).toEqual({
      code: 1,
      err: [
        "error: '--repository' must be 2 to 256 characters of lowercase letters and digits, in " +
          "parts separated by '/' and joined inside a part by single '.', '_' or '-' " +
          "(got 'Price_App'), e.g. 'bulkhead-pattern/price-app'",
      ],
    });
  });

  test('an unexpected error still gives one line', async () => {
    const runner = runnerWith(() => new TypeError('spawn EACCES'));

    const { code, err } = await failure({ runner }, 'push', '--region', 'eu-west-1');

    expect({ code, err }).toEqual({
      code: 1,
      err: ['error: unexpected failure: TypeError: spawn EACCES'],
    });
  });
});

describe('command line mistakes: one line and exit 2', () => {
  test.each([
    [[], "error: expected a command, 'push' or 'clean' (got none)"],
    [['deploy'], "error: expected a command, 'push' or 'clean' (got 'deploy')"],
    [['push', '--bogus'], "error: unknown option '--bogus' for 'push' (see --help)"],
    [['push', '-r', 'eu-west-1'], "error: unknown option '-r' for 'push' (see --help)"],
    [['clean', '--tag', 'x'], "error: unknown option '--tag' for 'clean' (see --help)"],
    [['push', '--region'], "error: option '--region' needs a value"],
    [['push', '--region', '--dry-run'], "error: option '--region' needs a value"],
    [['push', '--dry-run=yes'], "error: option '--dry-run' takes no value (got 'yes')"],
    [['push', '--tag', 'a', '--tag', 'b'], "error: option '--tag' is given twice"],
    [['push', 'extra'], "error: unexpected argument 'extra' for 'push' (see --help)"],
  ])('%j', async (argv, message) => {
    const { err, run } = cli();

    expect(await run(...argv)).toBe(2);
    expect(err).toEqual([message]);
  });
});

describe('image clean', () => {
  test('without --yes says what it would delete, deletes nothing and exits 1', async () => {
    const { err, fake, run } = cli();

    expect(await run('clean', '--region', 'eu-west-1')).toBe(1);
    expect(err).toEqual([
      "error: would delete repository 'bulkhead-pattern/price-app' and every image in it " +
        "(eu-west-1); pass '--yes' to delete them",
    ]);
    expect(fake.calls).toEqual([]);
  });

  test('with --yes deletes the repository named', async () => {
    const { out, fake, run } = cli();

    expect(await run('clean', '--region', 'eu-west-1', '--yes')).toBe(0);
    expect(fake.calls).toEqual(['DeleteRepository']);
    expect(out).toEqual([
      "deleting repository 'bulkhead-pattern/price-app' and every image in it (eu-west-1)",
    ]);
  });

  test('--dry-run prints the DeleteRepository call and makes none', async () => {
    const { out, ecrRegions, run } = cli({ env: { AWS_DEFAULT_REGION: 'us-east-2' } });

    expect(await run('clean', '--dry-run', '--repository', 'team/app')).toBe(0);
    expect(ecrRegions).toEqual([]);
    expect(out).toEqual([
      "deleting repository 'team/app' and every image in it (us-east-2)",
      '[dry run] ECR DeleteRepository {"repositoryName":"team/app","force":true} (us-east-2)',
      '[dry run] done: no AWS call made',
    ]);
  });
});
