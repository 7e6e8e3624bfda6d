import { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { HEALTH_PATH, PRICE_PATH, READY_PATH } from './contract';
import { badIdMessage, InvalidPrice, isPriceId, parsePriceBody } from './price';
import { Price, PriceStore, WALKTHROUGH_PRICE } from './store';
import { InFlightWrites } from './writes';

export interface PriceAppProps {
  /** Where writes persist; its prices fill the cache at start. */
  readonly store: PriceStore;

  /** Where errors go; request lines too at `debug`, and each arrival at `trace`. */
  readonly logger: Logger;

  /** Largest accepted request body, in bytes; a larger one gets 413. */
  readonly bodyLimitBytes: number;

  /** Working memory each in-flight write holds until it ends, in bytes. */
  readonly writeWorkingMemoryBytes: number;
}

/**
 * The price API as a `node:http` request listener, apart from any server or process, so tests
 * drive it in-process:
 *
 * - `GET /price/{id}` answers the cached price, `{"value":"23.10"}`; reads never reach the store.
 * - `POST /price` validates `{"id":"7","value":"24.15"}` (an empty body writes the walkthrough's
 *   price, id 7 at 23.10), persists it through the store, refreshes the cache, and answers
 *   `{"status":"created"}`.
 * - `GET /health` answers 200 while the process runs; `GET /ready` answers 503 once draining.
 *
 * Errors are JSON `{"error": "..."}`: 4xx answers say what was wrong, 5xx answers hide why.
 */
export class PriceApp {
  /** Fills the cache from the store, then returns the app. */
  static async create(props: PriceAppProps): Promise<PriceApp> {
    return new PriceApp(props, await props.store.list());
  }

  /** The writes in flight, with their working memory. */
  readonly writes: InFlightWrites;

  private readonly cache = new Map<string, Buffer>();
  private readonly logArrivals: boolean;
  private readonly logRequests: boolean;
  private isDraining = false;

  private constructor(
    private readonly props: PriceAppProps,
    prices: readonly Price[],
  ) {
    this.writes = new InFlightWrites(props.writeWorkingMemoryBytes);
    for (const price of prices) this.cache.set(price.id, priceBody(price));
    this.logArrivals = props.logger.isLevelEnabled('trace');
    this.logRequests = props.logger.isLevelEnabled('debug');
  }

  /** Whether `drain()` has been called. */
  get draining(): boolean {
    return this.isDraining;
  }

  /**
   * Starts draining: readiness answers 503, new writes are refused with 503, and every answer
   * closes its connection. Reads and writes already accepted go on.
   */
  drain(): void {
    this.isDraining = true;
  }

  /** The `node:http` request listener. */
  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.logArrivals) this.logArrival(req);
    if (this.logRequests) this.logWhenFinished(req, res);
    try {
      this.route(req, res);
    } catch (err) {
      this.fail(req, res, err);
    }
  };

  private route(req: IncomingMessage, res: ServerResponse): void {
    const path = pathOf(req.url ?? '/');
    if (path.startsWith(PRICE_ID_PREFIX)) {
      if (!isRead(req)) return this.refuseMethod(req, res, path, READ_METHODS);
      return this.readPrice(res, path.slice(PRICE_ID_PREFIX.length));
    }
    switch (path) {
      case PRICE_PATH:
        if (req.method !== 'POST') return this.refuseMethod(req, res, path, ['POST']);
        return void this.writePrice(req, res);
      case HEALTH_PATH:
        if (!isRead(req)) return this.refuseMethod(req, res, path, READ_METHODS);
        return this.send(res, 200, HEALTHY);
      case READY_PATH:
        if (!isRead(req)) return this.refuseMethod(req, res, path, READ_METHODS);
        return this.isDraining ? this.send(res, 503, DRAINING) : this.send(res, 200, READY);
      default:
        return this.sendError(res, 404, `no resource at '${shorten(path)}'; ${ROUTES}`);
    }
  }

  private readPrice(res: ServerResponse, id: string): void {
    const body = this.cache.get(id);
    if (body) return this.send(res, 200, body);
    if (!isPriceId(id)) return this.sendError(res, 400, badIdMessage(id));
    this.sendError(res, 404, `no price for id '${id}'`);
  }

  private async writePrice(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.isDraining) {
      return this.sendError(res, 503, 'the service is shutting down; send the write again');
    }
    const write = this.writes.begin();
    try {
      const price = parsePriceBody(
        await readBody(req, this.props.bodyLimitBytes),
        WALKTHROUGH_PRICE,
      );
      write.hold(price);
      await this.props.store.save(price);
      this.cache.set(price.id, priceBody(price));
      this.send(res, 200, CREATED);
    } catch (err) {
      this.fail(req, res, err);
    } finally {
      write.end();
    }
  }

  private refuseMethod(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    allowed: readonly string[],
  ): void {
    const use = allowed.join(' or ');
    const message = `method '${req.method}' is not allowed on '${shorten(path)}'; use ${use}`;
    this.sendError(res, 405, message, { allow: allowed.join(', ') });
  }

  private fail(req: IncomingMessage, res: ServerResponse, err: unknown): void {
    if (err instanceof InvalidPrice) return this.sendError(res, 400, err.message);
    if (err instanceof BodyTooLarge) {
      return this.sendError(res, 413, err.message, { connection: 'close' });
    }
    if (err instanceof ClientGone) {
      this.props.logger.debug({ method: req.method, url: req.url }, 'client left mid-request');
      return void res.destroy();
    }
    this.props.logger.error({ err, method: req.method, url: req.url }, 'request failed');
    if (res.headersSent) return void res.destroy();
    this.sendError(res, 500, 'internal error');
  }

  private sendError(
    res: ServerResponse,
    status: number,
    message: string,
    headers?: OutgoingHttpHeaders,
  ): void {
    this.send(res, status, Buffer.from(JSON.stringify({ error: message })), headers);
  }

  private send(
    res: ServerResponse,
    status: number,
    body: Buffer,
    headers?: OutgoingHttpHeaders,
  ): void {
    const head: OutgoingHttpHeaders = { 'content-type': JSON_TYPE, 'content-length': body.length };
    if (this.isDraining) head.connection = 'close';
    if (headers) Object.assign(head, headers);
    res.writeHead(status, head);
    res.end(body);
  }

  private logArrival(req: IncomingMessage): void {
    this.props.logger.trace({ method: req.method, url: req.url }, 'request received');
  }

  private logWhenFinished(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    res.once('finish', () => {
      const durationMs = Math.round((performance.now() - started) * 1000) / 1000;
      const line = { method: req.method, url: req.url, status: res.statusCode, durationMs };
      this.props.logger.debug(line, 'request served');
    });
  }
}

/** A request body larger than the limit. */
class BodyTooLarge extends Error {
  constructor(limit: number, got: string) {
    super(`'body' must be at most ${limit} bytes (got ${got})`);
  }
}

/** The client closed or broke the connection before its request was read. */
class ClientGone extends Error {}

/**
 * The whole body of `req`, refused as soon as it is known to exceed `limit` bytes: at once when
 * Content-Length says so, otherwise when the bytes received pass it.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > limit) return Promise.reject(new BodyTooLarge(limit, `${declared}`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (outcome: () => void) => {
      req.off('data', onData).off('end', onEnd).off('close', onGone).off('error', onGone);
      outcome();
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return settle(() => reject(new BodyTooLarge(limit, `more than ${limit}`)));
      chunks.push(chunk);
    };
    const onEnd = () => settle(() => resolve(Buffer.concat(chunks, size)));
    const onGone = () => settle(() => reject(new ClientGone()));
    req.on('data', onData).on('end', onEnd).on('close', onGone).on('error', onGone);
  });
}

const PRICE_ID_PREFIX = `${PRICE_PATH}/`;
const READ_METHODS = ['GET', 'HEAD'] as const;
const ROUTES =
  `the service answers GET ${PRICE_PATH}/{id}, POST ${PRICE_PATH}, ` +
  `GET ${HEALTH_PATH} and GET ${READY_PATH}`;
const JSON_TYPE = 'application/json; charset=utf-8';
const HEALTHY = Buffer.from('{"status":"ok"}');
const READY = Buffer.from('{"status":"ready"}');
const DRAINING = Buffer.from('{"status":"draining"}');
const CREATED = Buffer.from('{"status":"created"}');

function priceBody(price: Price): Buffer {
  return Buffer.from(JSON.stringify({ value: price.value }));
}

function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

const SHOWN_PATH_CHARS = 60;

function shorten(path: string): string {
  return path.length > SHOWN_PATH_CHARS ? `${path.slice(0, SHOWN_PATH_CHARS)}…` : path;
}
