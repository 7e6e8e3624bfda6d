import { ChildProcess, execFile, spawn } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Endpoint } from '../mesh/local/haproxy';

/** The command that installs HAProxy on Debian and Ubuntu, for the message when it is missing. */
export const HAPROXY_INSTALL_COMMAND = 'apt-get install -y haproxy';

/** Folders searched for `haproxy` after PATH: Debian installs it in /usr/sbin. */
const SBIN_FOLDERS = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

/** A gateway that could not be found, checked or started; the message says what to do. */
export class GatewayError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GatewayError';
  }
}

/**
 * The path of the `haproxy` binary: the first executable on `path`, then in the sbin folders.
 * @throws GatewayError with the install command when there is none
 */
export function findHaproxy(
  path: string = process.env.PATH ?? '',
  sbinFolders: readonly string[] = SBIN_FOLDERS,
): string {
  const folders = [...path.split(delimiter).filter(Boolean), ...sbinFolders];
  for (const folder of folders) {
    const candidate = join(folder, 'haproxy');
    if (isExecutable(candidate)) return candidate;
  }
  throw new GatewayError(
    `HAProxy is not installed: no 'haproxy' on PATH or in ${sbinFolders.join(', ')}; ` +
      `the lab needs it as its local gateway. Install it with: ${HAPROXY_INSTALL_COMMAND}`,
  );
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A free TCP port on loopback, for a process the lab starts. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') {
    throw new Error(`could not read the port of a listening socket (got ${address})`);
  }
  return address.port;
}

export interface LocalGatewayOptions {
  /** The HAProxy configuration, from `haproxyConfig`. */
  readonly config: string;

  /** Where the configuration's frontend listens. */
  readonly listen: Endpoint;

  /** The file the configuration is written to. */
  readonly configFile: string;

  /**
   * The `haproxy` binary.
   * @default - found by `findHaproxy`
   */
  readonly haproxy?: string;

  /**
   * How long to wait for the gateway to accept connections, in milliseconds.
   * @default 5000
   */
  readonly startTimeoutMillis?: number;
}

/** HAProxy in the foreground as a child process, serving one rendered configuration. */
export class LocalGateway {
  /**
   * Checks the configuration with `haproxy -c`, starts HAProxy and waits until its frontend
   * accepts connections.
   * @throws GatewayError naming the binary and HAProxy's own words when either step fails
   */
  static async start(options: LocalGatewayOptions): Promise<LocalGateway> {
    const binary = options.haproxy ?? findHaproxy();
    writeFileSync(options.configFile, options.config);
    await checkConfig(binary, options.configFile);

    const child = spawn(binary, ['-db', '-f', options.configFile], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const gateway = new LocalGateway(child, options.listen);
    await gateway.waitUntilListening(options.startTimeoutMillis ?? 5000, binary);
    return gateway;
  }

  private stderr = '';
  private exitCode: number | string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    /** Where the gateway listens. */
    readonly listen: Endpoint,
  ) {
    child.stderr!.on('data', (chunk) => (this.stderr = (this.stderr + chunk).slice(-4000)));
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code ?? signal ?? -1;
        resolve();
      }),
    );
  }

  /** Stops HAProxy (SIGTERM) and waits until it has exited. */
  async stop(): Promise<void> {
    if (this.exitCode === undefined) this.child.kill('SIGTERM');
    await this.exited;
  }

  private async waitUntilListening(timeoutMillis: number, binary: string): Promise<void> {
    const deadline = Date.now() + timeoutMillis;
    while (Date.now() < deadline) {
      if (this.exitCode !== undefined) {
        throw new GatewayError(
          `${binary} exited (${this.exitCode}) before listening: ${this.stderr.trim()}`,
        );
      }
      if (await accepts(this.listen)) return;
      await sleep(20);
    }
    await this.stop();
    throw new GatewayError(
      `${binary} did not listen on ${this.listen.host}:${this.listen.port} ` +
        `within ${timeoutMillis} ms: ${this.stderr.trim()}`,
    );
  }
}

async function checkConfig(binary: string, configFile: string): Promise<void> {
  try {
    await promisify(execFile)(binary, ['-c', '-f', configFile]);
  } catch (err) {
    const output = (err as { stderr?: string }).stderr ?? String(err);
    throw new GatewayError(`${binary} rejected the configuration ${configFile}: ${alerts(output)}`);
  }
}

/** HAProxy's alert lines without their `[ALERT]    (pid) : ` prefix, joined on one line. */
function alerts(output: string): string {
  const found = output
    .split('\n')
    .filter((line) => line.startsWith('[ALERT]'))
    .map((line) => line.replace(/^\[ALERT\]\s+\(\d+\)\s+:\s+/, ''));
  return found.length > 0 ? found.join('; ') : output.trim();
}

function accepts({ host, port }: Endpoint): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
