import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest, IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino, { Logger } from 'pino';

/** The repository root. */
export const ROOT = join(__dirname, '..', '..');

/** Where the `bundle:service` task writes the bundle. */
export const BUNDLE_OUTFILE = 'build/service/main.js';

/**
 * Builds the service bundle with the `bundle:service` task's own command line, into a new
 * temporary folder instead of build/ (test files run in parallel). Returns the bundle's path.
 */
export function bundleService(): string {
  const command = bundleCommand();
  const outfile = join(mkdtempSync(join(tmpdir(), 'price-bundle-')), 'main.js');
  const args = command.slice(1).map((arg) => arg.replace(BUNDLE_OUTFILE, outfile));
  if (!args.some((arg) => arg.includes(outfile))) {
    throw new Error(`'bundle:service' no longer writes ${BUNDLE_OUTFILE}: ${command.join(' ')}`);
  }
  execFileSync(join(ROOT, 'node_modules', '.bin', command[0]), args, { cwd: ROOT, stdio: 'pipe' });
  return outfile;
}

/** The `bundle:service` task's command, split into words. */
export function bundleCommand(): string[] {
  const tasks = JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')).tasks;
  const steps: Array<{ exec?: string }> = tasks['bundle:service'].steps;
  return steps[0].exec!.split(/\s+/);
}

/** A service process started from a bundle, with its stdout parsed as JSON log lines. */
export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Every log line so far. */
  readonly logs: Array<Record<string, unknown>>;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
}

/**
 * Runs `node <bundle>` with `env` (and PORT=0), and resolves once its start-up line names the
 * port. Rejects with the process's stderr when it exits first.
 */
export function startService(
  bundle: string,
  env: Record<string, string> = {},
  options: { uid?: number; gid?: number; cwd?: string } = {},
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...options,
  });
  const logs: Array<Record<string, unknown>> = [];
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let pending = '';
    child.stdout!.on('data', (chunk) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const entry = JSON.parse(line);
        logs.push(entry);
        if (entry.msg === 'price service listening') {
          resolve({ child, port: entry.port, logs, exited });
        }
      }
    });
    void exited.then((code) => reject(new Error(`service exited ${code}: ${stderr}`)));
  });
}

/** Runs `node <bundle>` with `env` to its end; returns the exit code and both outputs. */
export function runToExit(
  bundle: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [bundle], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

/** What one HTTP exchange returned. */
export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body parsed as JSON. */
  readonly json: any;
}

/** Sends one request on a fresh connection (no keep-alive pool) and reads the whole answer. */
export function send(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string | number> = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers, agent: false });
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.once('error', reject);
      res.once('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = text.startsWith('{') ? JSON.parse(text) : undefined;
        resolve({ status: res.statusCode!, headers: res.headers, body: text, json });
      });
    });
    req.end(body);
  });
}

/** The resident set size of process `pid`, in bytes (Linux). */
export function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) * 1024;
}

/** A pino logger at `level` whose lines collect in `lines`, parsed. */
export function captureLogger(level: string = 'debug'): {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
} {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level }, sink), lines };
}

/** Milliseconds since `start` (a `performance.now()` reading). */
export function since(start: number): number {
  return performance.now() - start;
}

export const MiB = 2 ** 20;
