import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageError, oneLine } from './errors';
import { Command, CommandRunner, ProgramNotFoundError } from './runner';

/** A tag for the image, and where it came from. */
export interface DerivedTag {
  /** e.g. `1a2b3c4d5e6f` or `1a2b3c4d5e6f-dirty-9f8e7d6c5b4a` */
  readonly tag: string;

  /** One line for the user, e.g. `git commit 1a2b3c4d5e6f with uncommitted changes`. */
  readonly reason: string;
}

// Twelve hex digits: unique enough within one repository's history, short enough to read.
const HASH_LENGTH = 12;

/** Reads a file of the work tree; injected so tests need no files on disk. */
export type ReadFile = (path: string) => Promise<Buffer>;

/**
 * Derives the image tag from git for the build context: the commit's short hash, and, when
 * the context has uncommitted changes, `-dirty-` and a hash of those changes (the diff
 * against the commit plus the untracked files that are not ignored). The same tree always
 * gives the same tag, and a changed tree a new one, which immutable tags need.
 */
export async function deriveTag(
  runner: CommandRunner,
  context: string,
  read: ReadFile = readFile,
): Promise<DerivedTag> {
  const git = (...args: string[]) => runGit(runner, context, args);
  const commit = (await git('rev-parse', `--short=${HASH_LENGTH}`, 'HEAD')).trim();
  const diff = await git('diff', 'HEAD', '--binary', '--', '.');
  const untracked = (await git('ls-files', '--others', '--exclude-standard', '-z', '--', '.'))
    .split('\0')
    .filter(Boolean)
    .sort();
  if (diff === '' && untracked.length === 0) {
    return { tag: commit, reason: `git commit ${commit}` };
  }

  const hash = createHash('sha256').update(diff);
  for (const path of untracked) {
    hash.update(`\0${path}\0`).update(await read(join(context, path)));
  }
  const dirty = hash.digest('hex').slice(0, HASH_LENGTH);
  return {
    tag: `${commit}-dirty-${dirty}`,
    reason: `git commit ${commit} with uncommitted changes`,
  };
}

async function runGit(runner: CommandRunner, cwd: string, args: string[]): Promise<string> {
  const command: Command = { program: 'git', args, cwd, output: 'capture' };
  const advice = `or pass '--tag'`;
  let result;
  try {
    result = await runner.run(command);
  } catch (error) {
    if (!(error instanceof ProgramNotFoundError)) throw error;
    throw new ImageError(
      `cannot derive the image tag: git was not found on PATH; install git ${advice}`,
      {
        cause: error,
      },
    );
  }
  if (result.exitCode !== 0) {
    throw new ImageError(
      `cannot derive the image tag from git in '${cwd}' ('git ${args[0]}' exited with ` +
        `${result.exitCode}: ${oneLine(result.stderr) || 'no output'}); run it in a git work ` +
        `tree with at least one commit, ${advice}`,
    );
  }
  return result.stdout;
}
