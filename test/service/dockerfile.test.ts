import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import { RUN_AS_GROUP, RUN_AS_USER, SERVICE_PORT } from '../../src/service/contract';
import { BUNDLE_OUTFILE, bundleCommand, ROOT, send, startService } from './support';

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly flags: readonly string[];
  readonly name?: string;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages, each with its instructions (continuations joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Array<Stage & { instructions: Instruction[] }> = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      const words = args.split(' ');
      const flags = words.filter((word) => word.startsWith('--'));
      const [image, as, name] = words.filter((word) => !word.startsWith('--'));
      if (as !== undefined && as.toUpperCase() !== 'AS')
        throw new Error(`cannot read 'FROM ${args}'`);
      stages.push({ image, flags, name, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return stages;
}

/** A COPY instruction's flags, sources and destination (shell form only). */
function parseCopy(args: string): { from?: string; sources: string[]; destination: string } {
  if (args.startsWith('[')) throw new Error(`the test reads only the shell form of COPY: ${args}`);
  const words = args.split(' ');
  const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length);
  const paths = words.filter((word) => !word.startsWith('--'));
  return { from, sources: paths.slice(0, -1), destination: paths.at(-1)! };
}

function only(stage: Stage, keyword: string): string {
  const found = stage.instructions.filter((i) => i.keyword === keyword);
  expect(found).toHaveLength(1);
  return found[0].args;
}

function readStages(): { builder: Stage; runtime: Stage } {
  const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  expect(stages).toHaveLength(2);
  return { builder: stages[0], runtime: stages[1] };
}

/** Copies `source` (relative to `from`) to `destination` (absolute in `to`) the way COPY does. */
function copyLikeDocker(
  from: string,
  source: string,
  to: string,
  workdir: string,
  destination: string,
): void {
  const target = join(to, posix.resolve(workdir, destination));
  const sourcePath = join(from, source);
  if (statSync(sourcePath).isDirectory()) {
    cpSync(sourcePath, target, { recursive: true });
  } else {
    const file = destination.endsWith('/') ? join(target, posix.basename(source)) : target;
    mkdirSync(dirname(file), { recursive: true });
    cpSync(sourcePath, file);
  }
}

/** Sets the modes of a tree: `dirMode` on folders, `fileMode` on files. */
function chmodTree(path: string, dirMode: number, fileMode: number): void {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) chmodTree(join(path, entry), dirMode, fileMode);
    chmodSync(path, dirMode);
  } else {
    chmodSync(path, fileMode);
  }
}

describe('Dockerfile', () => {
  test('pins both stages to the same exact Node 20 release', () => {
    const { builder, runtime } = readStages();
    expect(builder.image).toMatch(/^node:20\.\d+\.\d+-bookworm-slim$/);
    expect(runtime.image).toBe(builder.image);
  });

  test('builds the bundle on the build platform and takes the target platform from the runtime base', () => {
    const { builder, runtime } = readStages();
    expect(builder.flags).toEqual(['--platform=$BUILDPLATFORM']);
    expect(builder.name).toBe('builder');
    expect(runtime.flags).toEqual([]);
  });

  test("runs as the contract's numeric non-root user and exposes the contract's port", () => {
    const { runtime } = readStages();
    expect(only(runtime, 'USER')).toBe(`${RUN_AS_USER}:${RUN_AS_GROUP}`);
    expect(RUN_AS_USER).toBeGreaterThan(0);
    expect(only(runtime, 'EXPOSE')).toBe(`${SERVICE_PORT}`);
  });

  test('starts node directly, in exec form, so SIGTERM reaches the service', () => {
    const { runtime } = readStages();
    expect(JSON.parse(only(runtime, 'ENTRYPOINT'))).toEqual(['node', '/app/main.js']);
  });

  test('copies only the bundle that the bundle:service task writes into the runtime stage', () => {
    const { builder, runtime } = readStages();
    expect(only(builder, 'WORKDIR')).toBe('/src');
    const copies = runtime.instructions
      .filter((i) => i.keyword === 'COPY')
      .map((i) => parseCopy(i.args));
    expect(copies).toEqual([
      { from: 'builder', sources: [`/src/${BUNDLE_OUTFILE}`], destination: '/app/main.js' },
    ]);
    expect(bundleCommand()).toContain(`--outfile=${BUNDLE_OUTFILE}`);
    expect(runtime.instructions.map((i) => i.keyword)).not.toContain('RUN');
  });

  test('sends the builder every file it copies, and nothing else (.dockerignore)', () => {
    const { builder } = readStages();
    const sources = builder.instructions
      .filter((i) => i.keyword === 'COPY')
      .flatMap((i) => parseCopy(i.args).sources)
      .map((source) => source.replace(/\/$/, ''));
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(ignore[0]).toBe('*');
    expect(
      ignore
        .slice(1)
        .map((line) => line.replace(/^!/, '').replace(/\/$/, ''))
        .sort(),
    ).toEqual(sources.sort());
  });

  test('runs the bundle from exactly the files the image copies, as its user, read-only', async () => {
    const { builder, runtime } = readStages();
    const work = mkdtempSync(join(tmpdir(), 'price-image-'));
    chmodSync(work, 0o755);
    const builderRoot = join(work, 'builder');
    const imageRoot = join(work, 'image');

    // The builder stage, with the installed node_modules standing in for `npm ci`.
    const builderWorkdir = only(builder, 'WORKDIR');
    for (const step of builder.instructions) {
      if (step.keyword === 'COPY') {
        const { sources, destination } = parseCopy(step.args);
        for (const source of sources)
          copyLikeDocker(ROOT, source, builderRoot, builderWorkdir, destination);
      } else if (step.keyword === 'RUN' && step.args.startsWith('npm ci')) {
        symlinkSync(join(ROOT, 'node_modules'), join(builderRoot, builderWorkdir, 'node_modules'));
      } else if (step.keyword === 'RUN') {
        execFileSync('sh', ['-c', step.args], {
          cwd: join(builderRoot, builderWorkdir),
          stdio: 'pipe',
        });
      }
    }

    // The runtime stage: only what it copies from the builder.
    const workdir = only(runtime, 'WORKDIR');
    for (const step of runtime.instructions.filter((i) => i.keyword === 'COPY')) {
      const { sources, destination } = parseCopy(step.args);
      for (const source of sources)
        copyLikeDocker(builderRoot, source, imageRoot, workdir, destination);
    }
    chmodTree(imageRoot, 0o555, 0o444);

    const [command, entry] = JSON.parse(only(runtime, 'ENTRYPOINT'));
    expect(command).toBe('node');
    const [key, value] = only(runtime, 'ENV').split('=');
    const asImageUser = process.getuid?.() === 0 ? { uid: RUN_AS_USER, gid: RUN_AS_GROUP } : {};
    const service = await startService(
      join(imageRoot, entry),
      { [key]: value },
      {
        cwd: join(imageRoot, workdir),
        ...asImageUser,
      },
    );
    try {
      expect((await send(service.port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
      expect((await send(service.port, 'POST', '/price')).status).toBe(200);
      expect((await send(service.port, 'GET', '/health')).status).toBe(200);
      expect(readdirSync(imageRoot, { recursive: true }).sort()).toEqual(['app', 'app/main.js']);
    } finally {
      service.child.kill('SIGKILL');
      chmodTree(imageRoot, 0o755, 0o644);
      rmSync(work, { recursive: true, force: true });
    }
  });
});
