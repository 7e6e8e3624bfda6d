import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ECRClient } from '@aws-sdk/client-ecr';
import { cleanRepository } from './clean';
import { Docker } from './docker';
import { DRY_RUN, DryRunEcr, DryRunRunner } from './dry-run';
import { EcrApi, SdkEcr } from './ecr';
import { ImageError, oneLine } from './errors';
import { DEFAULT_PLATFORMS, DEFAULT_REPOSITORY, parsePlatforms } from './names';
import { pushImage } from './push';
import { loadSdkRegion, RegionLoader, resolveRegion } from './region';
import { CommandRunner, ProcessRunner } from './runner';
import { deriveTag } from './tag';
import { DEFAULT_VALUES_FILE } from './values';

/** What the commands touch outside the process; tests replace every part. */
export interface CliDeps {
  readonly env: NodeJS.ProcessEnv;
  /** Prints one line of progress or result (standard output). */
  readonly out: (line: string) => void;
  /** Prints the failure line (standard error). */
  readonly err: (line: string) => void;
  readonly loadRegion: RegionLoader;
  /** The SDK-backed ECR for a region; never called in a dry run. */
  readonly ecr: (region: string) => EcrApi;
  /** Runs docker (never in a dry run) and git (always: it only reads, to derive the tag). */
  readonly runner: CommandRunner;
  readonly writeFile: (path: string, text: string) => Promise<void>;
}

type OptionSpec = Record<string, { readonly type: 'string' | 'boolean'; readonly help: string }>;

const COMMON: OptionSpec = {
  region: { type: 'string', help: 'AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, profile)' },
  repository: { type: 'string', help: `ECR repository name (default: ${DEFAULT_REPOSITORY})` },
  'dry-run': { type: 'boolean', help: 'print every AWS call and docker command; make none' },
  help: { type: 'boolean', help: 'print this help' },
};

const COMMANDS: Record<string, { readonly summary: string; readonly options: OptionSpec }> = {
  push: {
    summary: 'builds the price image, pushes it to ECR and writes a Helm values file for it',
    options: {
      ...COMMON,
      tag: { type: 'string', help: 'image tag (default: git commit, plus -dirty-<hash>)' },
      platform: {
        type: 'string',
        help: `comma-separated platforms (default: ${DEFAULT_PLATFORMS.join(',')})`,
      },
      context: { type: 'string', help: "build context holding the Dockerfile (default: '.')" },
      'values-file': {
        type: 'string',
        help: `Helm values file to write (default: ${DEFAULT_VALUES_FILE})`,
      },
    },
  },
  clean: {
    summary: 'deletes the ECR repository and every image in it',
    options: { ...COMMON, yes: { type: 'boolean', help: 'confirm the deletion' } },
  },
};

type Parsed = { readonly command: string; readonly values: Record<string, string | boolean> };

/** Runs `push` or `clean` with the given arguments; resolves with the exit code. */
export async function main(
  argv: readonly string[],
  deps: CliDeps = processDeps(),
): Promise<number> {
  let parsed: Parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    deps.err(`error: ${(error as Error).message}`);
    return 2;
  }
  if (parsed.values.help) {
    printHelp(parsed.command, deps.out);
    return 0;
  }
  try {
    await (parsed.command === 'push' ? runPush : runClean)(parsed.values, deps);
    return 0;
  } catch (error) {
    deps.err(`error: ${describeFailure(error)}`);
    return 1;
  }
}

async function runPush(values: Parsed['values'], deps: CliDeps): Promise<void> {
  const options = {
    repository: stringValue(values.repository) ?? DEFAULT_REPOSITORY,
    tag: stringValue(values.tag),
    platforms: parsePlatforms(stringValue(values.platform) ?? DEFAULT_PLATFORMS.join(',')),
    context: stringValue(values.context) ?? '.',
    valuesFile: stringValue(values['values-file']) ?? DEFAULT_VALUES_FILE,
  };
  const region = await resolveRegion(stringValue(values.region), deps.env, deps.loadRegion);
  const dryRun = values['dry-run'] === true;
  const world = dryRun ? dryRunWorld(region, deps) : realWorld(region, deps);

  await pushImage(options, {
    ecr: world.ecr,
    docker: new Docker(world.runner, deps.out),
    deriveTag: (context) => deriveTag(deps.runner, context),
    writeFile: world.writeFile,
    log: deps.out,
  });
  if (dryRun) deps.out(`${DRY_RUN} done: no AWS call, no docker command, no file written`);
}

async function runClean(values: Parsed['values'], deps: CliDeps): Promise<void> {
  const region = await resolveRegion(stringValue(values.region), deps.env, deps.loadRegion);
  const dryRun = values['dry-run'] === true;
  const world = dryRun ? dryRunWorld(region, deps) : realWorld(region, deps);
  const repository = stringValue(values.repository) ?? DEFAULT_REPOSITORY;

  // A dry run shows what `--yes` would do; it deletes nothing either way.
  await cleanRepository(
    { repository, confirmed: values.yes === true || dryRun },
    world.ecr,
    deps.out,
  );
  if (dryRun) deps.out(`${DRY_RUN} done: no AWS call made`);
}

function realWorld(region: string, deps: CliDeps) {
  return { ecr: deps.ecr(region), runner: deps.runner, writeFile: deps.writeFile };
}

function dryRunWorld(region: string, deps: CliDeps) {
  return {
    ecr: new DryRunEcr(region, deps.out),
    runner: new DryRunRunner(deps.out),
    writeFile: async (path: string, text: string) => {
      deps.out(`${DRY_RUN} not writing ${path}; it would hold:`);
      for (const line of text.trimEnd().split('\n')) deps.out(`${DRY_RUN}   ${line}`);
    },
  };
}

/** Reads the command and its options; every mistake is a one-line error naming it. */
export function parseCommandLine(argv: readonly string[]): Parsed {
  const [command, ...given] = argv;
  // `npx projen image:push -- --region x` hands the `--` on: it separates projen's options
  // from ours, so it is dropped rather than read as the end of our options.
  const rest = given[0] === '--' ? given.slice(1) : given;
  const spec = command === undefined ? undefined : COMMANDS[command];
  if (!spec) {
    throw new ImageError(
      `expected a command, 'push' or 'clean' (got ${command === undefined ? 'none' : `'${command}'`})`,
    );
  }
  const types = Object.fromEntries(
    Object.entries(spec.options).map(([name, option]) => [name, { type: option.type }]),
  );
  const { tokens } = parseArgs({
    args: [...rest],
    options: types,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const values: Record<string, string | boolean> = {};
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      throw new ImageError(`unexpected argument '${token.value}' for '${command}' (see --help)`);
    }
    values[token.name] = optionValue(command!, spec.options, token, values);
  }
  return { command: command!, values };
}

type OptionToken = { name: string; rawName: string; value?: string; inlineValue?: boolean };

function optionValue(
  command: string,
  options: OptionSpec,
  token: OptionToken,
  seen: Record<string, unknown>,
): string | boolean {
  const option = options[token.name];
  if (!option || token.rawName.length === 2) {
    throw new ImageError(`unknown option '${token.rawName}' for '${command}' (see --help)`);
  }
  if (token.name in seen) throw new ImageError(`option '${token.rawName}' is given twice`);
  if (option.type === 'boolean') {
    if (token.value !== undefined) {
      throw new ImageError(`option '${token.rawName}' takes no value (got '${token.value}')`);
    }
    return true;
  }
  if (token.value === undefined || (!token.inlineValue && token.value.startsWith('-'))) {
    throw new ImageError(`option '${token.rawName}' needs a value`);
  }
  return token.value;
}

function stringValue(value: string | boolean | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function printHelp(command: string, out: (line: string) => void): void {
  const spec = COMMANDS[command]!;
  out(`npx projen image:${command} -- [options]: ${spec.summary}`);
  for (const [name, option] of Object.entries(spec.options)) {
    const flag = option.type === 'string' ? `--${name} <value>` : `--${name}`;
    out(`  ${flag.padEnd(24)} ${option.help}`);
  }
}

/** The one failure line: our own errors as they are, anything else with its name. */
function describeFailure(error: unknown): string {
  if (error instanceof ImageError) return error.message;
  if (error instanceof Error) return `unexpected failure: ${error.name}: ${oneLine(error.message)}`;
  return `unexpected failure: ${String(error)}`;
}

function processDeps(): CliDeps {
  return {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    loadRegion: loadSdkRegion,
    ecr: (region) => new SdkEcr(new ECRClient({ region }), region),
    runner: new ProcessRunner(),
    writeFile: (path, text) => writeFile(path, text, 'utf8'),
  };
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
