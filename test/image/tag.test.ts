import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImageError } from '../../src/image/errors';
import { ProcessRunner, ProgramNotFoundError } from '../../src/image/runner';
import { deriveTag } from '../../src/image/tag';
import { RecordingRunner, rejection, startsWith } from './fakes';

const COMMIT = '1a2b3c4d5e6f';

/** A git that answers: commit COMMIT, the given diff, and the given untracked files. */
function scriptedGit(diff: string, untracked: string[] = []) {
  return new RecordingRunner((command) => {
    if (startsWith(command, 'git', 'rev-parse')) return { stdout: `${COMMIT}\n` };
    if (startsWith(command, 'git', 'diff')) return { stdout: diff };
    if (startsWith(command, 'git', 'ls-files'))
      return { stdout: untracked.map((p) => `${p}\0`).join('') };
    return new Error(`unexpected command ${command.args.join(' ')}`);
  });
}

const noFiles = async (path: string): Promise<Buffer> => {
  throw new Error(`no file expected, read ${path}`);
};

describe('deriveTag', () => {
  test('uses the short commit hash for a clean tree', async () => {
    const git = scriptedGit('');

    expect(await deriveTag(git, 'ctx', noFiles)).toEqual({
      tag: COMMIT,
      reason: `git commit ${COMMIT}`,
    });
    expect(git.argv()).toEqual([
      ['git', 'rev-parse', '--short=12', 'HEAD'],
      ['git', 'diff', 'HEAD', '--binary', '--', '.'],
      ['git', 'ls-files', '--others', '--exclude-standard', '-z', '--', '.'],
    ]);
    expect(git.commands.every((command) => command.cwd === 'ctx')).toBe(true);
  });

  test('adds -dirty- and a hash of the diff when files changed', async () => {
    const first = await deriveTag(scriptedGit('diff --git a/x b/x\n+one\n'), '.', noFiles);
    const again = await deriveTag(scriptedGit('diff --git a/x b/x\n+one\n'), '.', noFiles);
    const other = await deriveTag(scriptedGit('diff --git a/x b/x\n+two\n'), '.', noFiles);

    expect(first.tag).toMatch(new RegExp(`^${COMMIT}-dirty-[0-9a-f]{12}$`));
    expect(first.reason).toBe(`git commit ${COMMIT} with uncommitted changes`);
    expect(again.tag).toBe(first.tag);
    expect(other.tag).not.toBe(first.tag);
  });

  test('hashes the content of untracked files, not only their names', async () => {
    const read = (content: string) => async () => Buffer.from(content);

    const one = await deriveTag(scriptedGit('', ['new.txt']), '.', read('one'));
    const two = await deriveTag(scriptedGit('', ['new.txt']), '.', read('two'));

    expect(one.tag).toMatch(new RegExp(`^${COMMIT}-dirty-[0-9a-f]{12}$`));
    expect(two.tag).not.toBe(one.tag);
  });

  test('rejects a context outside a git work tree, suggesting --tag', async () => {
    const git = new RecordingRunner(() => ({
      exitCode: 128,
      stderr: 'fatal: not a git repository (or any of the parent directories): .git\n',
    }));

    await expect(deriveTag(git, '/tmp/ctx', noFiles)).rejects.toThrow(
      new ImageError(
        "cannot derive the image tag from git in '/tmp/ctx' ('git rev-parse' exited with 128: " +
          'fatal: not a git repository (or any of the parent directories): .git); run it in a ' +
          "git work tree with at least one commit, or pass '--tag'",
      ),
    );
  });

  test('rejects when git is not installed, suggesting --tag', async () => {
    const git = new RecordingRunner(() => new ProgramNotFoundError('git'));

    const error = await rejection(deriveTag(git, '.', noFiles));

    expect(error.message).toBe(
      "cannot derive the image tag: git was not found on PATH; install git or pass '--tag'",
    );
  });

  test('follows a real repository from clean to dirty and back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bulkhead-tag-'));
    try {
      const git = (...args: string[]) =>
        execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
          cwd: dir,
          encoding: 'utf8',
        }).trim();
      git('init', '--quiet');
      writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\n');
      git('add', 'Dockerfile');
      git('commit', '--quiet', '-m', 'first');
      const commit = git('rev-parse', '--short=12', 'HEAD');
      const runner = new ProcessRunner();

      const clean = await deriveTag(runner, dir);
      writeFileSync(join(dir, 'new.txt'), 'untracked\n');
      const dirty = await deriveTag(runner, dir);
      rmSync(join(dir, 'new.txt'));

      expect(clean.tag).toBe(commit);
      expect(dirty.tag).toMatch(new RegExp(`^${commit}-dirty-[0-9a-f]{12}$`));
      expect((await deriveTag(runner, dir)).tag).toBe(commit);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
