import { Docker } from '../../src/image/docker';
import { ImageError } from '../../src/image/errors';
import { ProgramNotFoundError } from '../../src/image/runner';
import { RecordingRunner, rejection, Responder, startsWith } from './fakes';

const IMAGE = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bulkhead-pattern/price-app:1a2b3c';
const LOGIN = {
  endpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
  username: 'AWS',
  password: 'pa55-w0rd-from-token',
};

function docker(respond?: Responder) {
  const runner = new RecordingRunner(respond);
  const lines: string[] = [];
  return { runner, lines, docker: new Docker(runner, (line) => lines.push(line)) };
}

describe('Docker.checkDaemon', () => {
  test('asks the daemon for its version', async () => {
    const { runner, docker: subject } = docker();

    await subject.checkDaemon();

    expect(runner.argv()).toEqual([['docker', 'info', '--format', '{{.ServerVersion}}']]);
    expect(runner.commands[0].output).toBe('capture');
  });

  test('rejects when the daemon does not answer', async () => {
    const { docker: subject } = docker(() => ({
      exitCode: 1,
      stderr:
        'Client:\n Version: 28.2.2\n\nCannot connect to the Docker daemon at ' +
        'unix:///var/run/docker.sock. Is the docker daemon running?\n',
    }));

    await expect(subject.checkDaemon()).rejects.toThrow(
      new ImageError(
        "the docker daemon is not reachable ('docker info' exited with 1: Cannot connect to the " +
          'Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?); ' +
          'start Docker and try again',
      ),
    );
  });

  test('rejects when docker is not installed', async () => {
    const { docker: subject } = docker(() => new ProgramNotFoundError('docker'));

    const error = await rejection(subject.checkDaemon());

    expect(error.message).toBe(
      'docker was not found on PATH; install Docker with the buildx plugin and try again',
    );
    expect(error.cause).toBeInstanceOf(ProgramNotFoundError);
  });

  test('lets an unexpected runner failure through unchanged', async () => {
    const strange = new Error('EACCES');
    const { docker: subject } = docker(() => strange);

    await expect(subject.checkDaemon()).rejects.toBe(strange);
  });
});

describe('Docker.chooseBuilder', () => {
  test('chooses buildx when `docker buildx version` succeeds', async () => {
    const { runner, lines, docker: subject } = docker();

    expect(await subject.chooseBuilder(['linux/amd64', 'linux/arm64'])).toBe('buildx');
    expect(runner.argv()).toEqual([['docker', 'buildx', 'version']]);
    expect(lines).toEqual([]);
  });

  test('falls back to docker build for one platform without buildx, and says so', async () => {
    const { lines, docker: subject } = docker(() => ({
      exitCode: 1,
      stderr: "docker: unknown command: docker buildx\n\nRun 'docker --help' for more information",
    }));

    expect(await subject.chooseBuilder(['linux/arm64'])).toBe('build');
    expect(lines).toEqual([
      'docker buildx is not installed: building with docker build, then docker push',
    ]);
  });

  test('rejects several platforms without buildx', async () => {
    const { docker: subject } = docker(() => ({ exitCode: 1 }));

    await expect(subject.chooseBuilder(['linux/amd64', 'linux/arm64'])).rejects.toThrow(
      new ImageError(
        'building for 2 platforms (linux/amd64,linux/arm64) needs docker buildx, which is not ' +
          "installed; install the buildx plugin, or pass one platform with '--platform linux/amd64'",
      ),
    );
  });
});

describe('Docker.login', () => {
  test('passes the password on stdin only, never in the arguments', async () => {
    const { runner, lines, docker: subject } = docker();

    await subject.login(LOGIN);

    expect(runner.argv()).toEqual([
      ['docker', 'login', '--username', 'AWS', '--password-stdin', LOGIN.endpoint],
    ]);
    expect(runner.commands[0].stdin).toBe(LOGIN.password);
    expect(runner.argv().flat().join(' ')).not.toContain(LOGIN.password);
    expect(lines).toEqual([`logging in to ${LOGIN.endpoint}`]);
  });

  test('rejects a failed login with docker’s reason, without the password', async () => {
    const { docker: subject } = docker(() => ({
      exitCode: 1,
      stderr: 'Error response from daemon: login attempt failed with status: 400 Bad Request\n',
    }));

    await expect(subject.login(LOGIN)).rejects.toThrow(
      new ImageError(
        `docker login to ${LOGIN.endpoint} failed (exit 1: Error response from daemon: login ` +
          'attempt failed with status: 400 Bad Request)',
      ),
    );
  });
});

describe('Docker.buildAndPush', () => {
  const request = { image: IMAGE, platforms: ['linux/amd64', 'linux/arm64'], context: '.' };

  test('builds and pushes every platform in one buildx command, showing its output', async () => {
    const { runner, lines, docker: subject } = docker();

    await subject.buildAndPush(request, 'buildx');

    expect(runner.argv()).toEqual([
      [
        'docker',
        'buildx',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--push',
        '-t',
        IMAGE,
        '.',
      ],
    ]);
    expect(runner.commands[0].output).toBe('show');
    expect(lines).toEqual([`building ${IMAGE} for linux/amd64,linux/arm64`]);
  });

  test('falls back to docker build and docker push for one platform without buildx', async () => {
    const { runner, lines, docker: subject } = docker();

    await subject.buildAndPush({ ...request, platforms: ['linux/arm64'], context: 'ctx' }, 'build');

    expect(runner.argv()).toEqual([
      ['docker', 'build', '--platform', 'linux/arm64', '-t', IMAGE, 'ctx'],
      ['docker', 'push', IMAGE],
    ]);
    expect(runner.commands.map((command) => command.output)).toEqual(['show', 'show']);
    expect(lines).toEqual([`building ${IMAGE} for linux/arm64`, `pushing ${IMAGE}`]);
  });

  test('explains a denied push with the permissions it needs', async () => {
    const { docker: subject } = docker(() => ({
      exitCode: 1,
      stderr:
        '#12 exporting to image\n' +
        'ERROR: failed to push ' +
        IMAGE +
        ': denied: User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ' +
        'ecr:InitiateLayerUpload\n',
    }));

    await expect(subject.buildAndPush(request, 'buildx')).rejects.toThrow(
      new ImageError(
        `push of ${IMAGE} was denied (ERROR: failed to push ${IMAGE}: denied: User: ` +
          'arn:aws:iam::123456789012:user/ci is not authorized to perform: ' +
          'ecr:InitiateLayerUpload); the identity needs ecr:BatchCheckLayerAvailability, ' +
          'ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage',
      ),
    );
  });

  test('explains a denied push in the fallback’s docker push', async () => {
    const { runner, docker: subject } = docker((command) =>
      startsWith(command, 'docker', 'push')
        ? { exitCode: 1, stderr: 'unauthorized: authentication required\n' }
        : undefined,
    );

    await expect(
      subject.buildAndPush({ ...request, platforms: ['linux/amd64'] }, 'build'),
    ).rejects.toThrow(
      new ImageError(
        `push of ${IMAGE} was denied (unauthorized: authentication required); the identity ` +
          'needs ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ' +
          'ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage',
      ),
    );
    expect(runner.commands).toHaveLength(2);
  });

  test('explains a tag the immutable repository already holds', async () => {
    const { docker: subject } = docker(() => ({
      exitCode: 1,
      stderr:
        "tag invalid: The image tag '1a2b3c' already exists in the 'bulkhead-pattern/price-app' " +
        'repository and cannot be overwritten because the repository is immutable.\n',
    }));

    await expect(subject.buildAndPush(request, 'buildx')).rejects.toThrow(
      new ImageError(
        `docker buildx build was refused: the tag of ${IMAGE} is already in the repository ` +
          "and tags are immutable; commit your change or pass another '--tag'",
      ),
    );
  });

  test('explains that the default builder cannot build several platforms', async () => {
    const { docker: subject } = docker(() => ({
      exitCode: 1,
      stderr:
        'ERROR: Multi-platform build is not supported for the docker driver.\n' +
        'Switch to a different driver, or turn on the containerd image store, and try again.\n',
    }));

    await expect(subject.buildAndPush(request, 'buildx')).rejects.toThrow(
      new ImageError(
        "docker buildx build cannot build for linux/amd64,linux/arm64 with the default 'docker' " +
          "builder; run 'docker buildx create --use' once, or pass one platform with '--platform'",
      ),
    );
  });

  test('reports any other build failure with its last line', async () => {
    const { docker: subject } = docker(() => ({
      exitCode: 1,
      stderr:
        '#5 ERROR: failed to read dockerfile\nERROR: failed to solve: Dockerfile: no such file\n',
    }));

    await expect(subject.buildAndPush(request, 'buildx')).rejects.toThrow(
      new ImageError(
        'docker buildx build failed (exit 1: ERROR: failed to solve: Dockerfile: no such file); ' +
          "docker's output above has the details",
      ),
    );
  });
});
