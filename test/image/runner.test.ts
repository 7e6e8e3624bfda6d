import {
  formatCommand,
  ProcessRunner,
  ProgramNotFoundError,
  quoteForShell,
} from '../../src/image/runner';
import { rejection } from './fakes';

// Real child processes of node itself: the runner's contract is about processes.
const NODE = process.execPath;

describe('ProcessRunner', () => {
  test('captures standard output, standard error and the exit code', async () => {
    const script = "process.stdout.write('out'); process.stderr.write('err'); process.exit(3)";

    const result = await new ProcessRunner().run({
      program: NODE,
      args: ['-e', script],
      output: 'capture',
    });

    expect(result).toEqual({ exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  test('passes the arguments as they are, without a shell', async () => {
    const args = [
      '-e',
      'process.stdout.write(JSON.stringify(process.argv.slice(1)))',
      '$HOME',
      'a b',
      ';',
    ];

    const result = await new ProcessRunner().run({ program: NODE, args, output: 'capture' });

    expect(JSON.parse(result.stdout)).toEqual(['$HOME', 'a b', ';']);
  });

  test('writes stdin to the program and closes it', async () => {
    const script =
      "let s=''; process.stdin.on('data', (d) => (s += d)).on('end', () => process.stdout.write(s.toUpperCase()))";

    const result = await new ProcessRunner().run({
      program: NODE,
      args: ['-e', script],
      stdin: 'secret',
      output: 'capture',
    });

    expect(result.stdout).toBe('SECRET');
  });

  test('keeps standard error in show mode while passing it through', async () => {
    const script = "process.stderr.write('denied: nope\\n'); process.exit(1)";
    const passed: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      passed.push(String(chunk));
      return true;
    });
    try {
      const result = await new ProcessRunner().run({
        program: NODE,
        args: ['-e', script],
        output: 'show',
      });

      expect(result).toEqual({ exitCode: 1, stdout: '', stderr: 'denied: nope\n' });
      expect(passed.join('')).toContain('denied: nope\n');
    } finally {
      write.mockRestore();
    }
  });

  test('rejects with ProgramNotFoundError when the program is not installed', async () => {
    const error = await rejection(
      new ProcessRunner().run({ program: 'bulkhead-no-such-program', args: [], output: 'capture' }),
    );

    expect(error).toBeInstanceOf(ProgramNotFoundError);
    expect(error.message).toBe("'bulkhead-no-such-program' was not found on PATH");
  });

  test('does not fail when the program exits without reading its stdin', async () => {
    const result = await new ProcessRunner().run({
      program: NODE,
      args: ['-e', 'process.exit(0)'],
      stdin: 'x'.repeat(1024 * 1024),
      output: 'capture',
    });

    expect(result.exitCode).toBe(0);
  });
});

describe('formatCommand', () => {
  test('renders a pasteable line, quoting only the words that need it', () => {
    const line = formatCommand({
      program: 'docker',
      args: ['info', '--format', '{{.ServerVersion}}', "it's", 'linux/amd64,linux/arm64'],
    });

    expect(line).toBe(
      `docker info --format '{{.ServerVersion}}' 'it'\\''s' linux/amd64,linux/arm64`,
    );
  });

  test('quotes an empty word', () => {
    expect(quoteForShell('')).toBe("''");
  });
});
