import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { PriceApp } from './app';
import { ServiceConfig } from './config';
import { MemoryPriceStore, PriceStore } from './store';

/** How long the server waits on a client, in milliseconds. */
export interface ServerTimeouts {
  /** From a request's first byte until its headers are complete; slow clients get 408. */
  readonly headersMs: number;

  /** From a request's first byte until its body is complete; the answer may take longer. */
  readonly requestMs: number;

  /**
   * How long an idle keep-alive connection stays open. Longer than the 60 s idle timeout of
   * the load balancers and proxies in front, so the server never closes a connection they are
   * about to reuse.
   */
  readonly keepAliveMs: number;

  /** How often Node checks connections against the header and request timeouts. */
  readonly checkIntervalMs: number;
}

/** The timeouts the service runs with. */
export const DEFAULT_TIMEOUTS: ServerTimeouts = {
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 65_000,
  checkIntervalMs: 1_000,
};

export interface PriceServerProps {
  /** The service's settings (port, delay, limits). */
  readonly config: ServiceConfig;

  /** Where the server and the app log. */
  readonly logger: Logger;

  /**
   * Where writes persist.
   * @default - a MemoryPriceStore with the demo catalogue and `config.databaseDelayMs`
   */
  readonly store?: PriceStore;

  /**
   * Timeouts to use instead of the defaults (tests shorten them).
   * @default DEFAULT_TIMEOUTS
   */
  readonly timeouts?: Partial<ServerTimeouts>;

  /**
   * Interface to listen on.
   * @default - every interface
   */
  readonly host?: string;
}

/** How a shutdown ended. */
export interface ShutdownOutcome {
  /** Writes still in flight when the grace period ran out; 0 after a clean drain. */
  readonly abandonedWrites: number;
}

/** The price app on a listening `node:http` server, with a bounded graceful shutdown. */
export class PriceServer {
  /** Creates the app, then listens; resolves once the port is bound. */
  static async start(props: PriceServerProps): Promise<PriceServer> {
    const { config, logger } = props;
    const store = props.store ?? new MemoryPriceStore({ writeDelayMs: config.databaseDelayMs });
    const app = await PriceApp.create({
      store,
      logger,
      bodyLimitBytes: config.bodyLimitBytes,
      writeWorkingMemoryBytes: config.writeWorkingMemoryBytes,
    });
    const server = createHttpServer(app, { ...DEFAULT_TIMEOUTS, ...props.timeouts }, logger);
    await listen(server, config.port, props.host);
    return new PriceServer(server, app, (server.address() as AddressInfo).port);
  }

  private constructor(
    private readonly server: Server,
    /** The app behind the server. */
    readonly app: PriceApp,
    /** The port the server listens on (the one picked when `PORT` is 0). */
    readonly port: number,
  ) {}

  /**
   * Drains and closes: readiness turns 503, the listener closes (new connections are
   * refused), idle connections close, and each remaining connection closes after its answer.
   * Resolves when every connection has closed and every write has ended (a write whose client
   * left still persists), or when `graceMs` runs out, whichever is first; then any connection
   * left is cut.
   */
  async shutdown(graceMs: number): Promise<ShutdownOutcome> {
    this.app.drain();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all([closed, this.app.writes.settled()]), graceOver]);
    clearTimeout(timer);
    const abandonedWrites = this.app.writes.count;
    this.server.closeAllConnections();
    return { abandonedWrites };
  }
}

function createHttpServer(app: PriceApp, timeouts: ServerTimeouts, logger: Logger): Server {
  const server = createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      connectionsCheckingInterval: timeouts.checkIntervalMs,
    },
    app.handle,
  );
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    logger.debug({ code: err.code, reason: err.message }, 'malformed request refused');
    if (!socket.writable || err.code === 'ECONNRESET') return void socket.destroy();
    socket.end(clientErrorResponse(err.code));
  });
  return server;
}

/** The answer to a request Node's parser refused: the status its code calls for, and why. */
function clientErrorResponse(code: string | undefined): string {
  const [status, reason] =
    code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? ['408 Request Timeout', 'the request did not arrive in time']
      : code === 'HPE_HEADER_OVERFLOW'
        ? ['431 Request Header Fields Too Large', 'the request headers are too large']
        : ['400 Bad Request', 'the request is not valid HTTP/1.1'];
  const body = JSON.stringify({ error: reason });
  return (
    `HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
