import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/** One program to run: an argument array, never a shell line. */
export interface Command {
  /** The program, looked up on PATH. */
  readonly program: string;

  /** Its arguments, passed as they are (no shell, no quoting). */
  readonly args: readonly string[];

  /**
   * Written to the program's standard input, which is then closed. The only way a secret
   * reaches a program: it never appears in `args`, so it never shows in `ps` or in a log.
   *
   * @default - standard input is empty
   */
  readonly stdin?: string;

  /**
   * `capture` collects standard output and standard error. `show` hands standard output to
   * the terminal and copies standard error to the terminal as it arrives, keeping its tail,
   * so docker's progress is visible and its error lines can still be explained.
   */
  readonly output: 'capture' | 'show';

  /**
   * Working directory.
   *
   * @default - the current directory
   */
  readonly cwd?: string;
}

/** How a program ended, with what it wrote (standard output is empty for `show`). */
export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs programs; injected, so tests record commands instead of running them. */
export interface CommandRunner {
  /**
   * Runs the command to its end. Resolves with a non-zero `exitCode` when the program fails;
   * rejects with `ProgramNotFoundError` when it cannot be started because it is not installed.
   */
  run(command: Command): Promise<CommandResult>;
}

/** The program is not on PATH. */
export class ProgramNotFoundError extends Error {
  public constructor(
    public readonly program: string,
    options?: { readonly cause?: unknown },
  ) {
    super(`'${program}' was not found on PATH`, options);
    this.name = 'ProgramNotFoundError';
  }
}

// Enough of docker's standard error to find the line that explains a failure.
const STDERR_TAIL_BYTES = 64 * 1024;

/** Runs commands as child processes, without a shell. */
export class ProcessRunner implements CommandRunner {
  public run(command: Command): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(command.program, [...command.args], {
        cwd: command.cwd,
        shell: false,
        stdio: ['pipe', command.output === 'show' ? 'inherit' : 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
        if (command.output === 'show') process.stderr.write(chunk);
        stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
      });

      child.on('error', (error: NodeJS.ErrnoException) => {
        reject(
          error.code === 'ENOENT'
            ? new ProgramNotFoundError(command.program, { cause: error })
            : error,
        );
      });
      child.on('close', (code, signal) => {
        resolve({ exitCode: code ?? exitCodeOfSignal(signal), stdout, stderr });
      });

      // A program that exits without reading its input closes the pipe; that is its answer
      // to give through the exit code, not a reason to crash here.
      child.stdin?.on('error', () => undefined);
      child.stdin?.end(command.stdin ?? '');
    });
  }
}

/** The shell convention: 128 plus the signal's number. */
function exitCodeOfSignal(signal: NodeJS.Signals | null): number {
  return 128 + (signal ? constants.signals[signal] : 0);
}

/**
 * Renders a command as a line a user can paste into a POSIX shell. For display only: the
 * runner never goes through a shell. The standard input is not shown.
 */
export function formatCommand(command: Pick<Command, 'program' | 'args'>): string {
  return [command.program, ...command.args].map(quoteForShell).join(' ');
}

/** Quotes one word for a POSIX shell when it needs quoting. */
export function quoteForShell(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
