import { createServer } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino, { Logger } from 'pino';
import { PriceApp } from '../../src/service/app';
import { MemoryPriceStore, Price, PriceStore } from '../../src/service/store';
import { captureLogger, MiB, send, since } from './support';

interface Fixture {
  readonly app: PriceApp;
  readonly port: number;
  close(): Promise<void>;
}

/** A fresh app on a loopback port; each test builds and closes its own. */
async function startApp(
  props: {
    store?: PriceStore;
    logger?: Logger;
    bodyLimitBytes?: number;
    workingMemory?: number;
  } = {},
): Promise<Fixture> {
  const app = await PriceApp.create({
    store: props.store ?? new MemoryPriceStore(),
    logger: props.logger ?? pino({ level: 'silent' }),
    bodyLimitBytes: props.bodyLimitBytes ?? 16 * 1024,
    writeWorkingMemoryBytes: props.workingMemory ?? MiB,
  });
  const server = createServer(app.handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { app, port: (server.address() as AddressInfo).port, close };
}

/** A store whose writes wait until the test releases them. */
class GatedStore extends MemoryPriceStore {
  private releases: Array<() => void> = [];
  readonly started: Price[] = [];

  async save(price: Price): Promise<void> {
    this.started.push(price);
    await new Promise<void>((resolve) => this.releases.push(resolve));
    await super.save(price);
  }

  release(): void {
    for (const resolve of this.releases.splice(0)) resolve();
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('GET /price/{id}', () => {
  test('answers the demo price of id 7 as JSON', async () => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'GET', '/price/7');
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('{"value":"23.10"}');
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
    } finally {
      await close();
    }
  });

  test('answers HEAD with the headers of GET and no body', async () => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'HEAD', '/price/7');
      expect(reply.status).toBe(200);
      expect(reply.headers['content-length']).toBe('17');
      expect(reply.body).toBe('');
    } finally {
      await close();
    }
  });

  test('ignores the query string', async () => {
    const { port, close } = await startApp();
    try {
      expect((await send(port, 'GET', '/price/7?currency=EUR')).body).toBe('{"value":"23.10"}');
    } finally {
      await close();
    }
  });

  test('answers 404 with the id for an id not in the catalogue', async () => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'GET', '/price/99');
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual({ error: "no price for id '99'" });
    } finally {
      await close();
    }
  });

  test.each([
    ['abc', "(got 'abc')"],
    ['007', "(got '007')"],
    ['', "(got '')"],
    ['7/', "(got '7/')"],
    ['-7', "(got '-7')"],
    ['1234567890123', "(got '1234567890123')"],
  ])('rejects the malformed id %j with 400', async (id, got) => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'GET', `/price/${id}`);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({
        error: `'id' must be 1 to 12 digits without a leading zero ${got}`,
      });
    } finally {
      await close();
    }
  });
});

describe('POST /price', () => {
  test('writes a price that the next GET of the same id answers', async () => {
    const { port, close } = await startApp();
    try {
      const written = await send(port, 'POST', '/price', '{"id":"7","value":"24.15"}');
      expect(written.status).toBe(200);
      expect(written.body).toBe('{"status":"created"}');
      expect((await send(port, 'GET', '/price/7')).body).toBe('{"value":"24.15"}');
    } finally {
      await close();
    }
  });

  test('creates a price for an id the catalogue did not have', async () => {
    const { port, close } = await startApp();
    try {
      expect((await send(port, 'GET', '/price/12345')).status).toBe(404);
      await send(port, 'POST', '/price', '{"id":"12345","value":"0"}');
      expect((await send(port, 'GET', '/price/12345')).body).toBe('{"value":"0"}');
    } finally {
      await close();
    }
  });

  test('writes the walkthrough price, id 7 at 23.10, when the body is empty', async () => {
    const store = new MemoryPriceStore();
    const { port, close } = await startApp({ store });
    try {
      await send(port, 'POST', '/price', '{"id":"7","value":"24.15"}');
      const reply = await send(port, 'POST', '/price');
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ status: 'created' });
      expect((await send(port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
      expect(await store.list()).toContainEqual({ id: '7', value: '23.10' });
    } finally {
      await close();
    }
  });

  test('persists through the store before it answers', async () => {
    const store = new MemoryPriceStore();
    const { port, close } = await startApp({ store });
    try {
      await send(port, 'POST', '/price', '{"id":"3","value":"8.40"}');
      expect(await store.list()).toContainEqual({ id: '3', value: '8.40' });
    } finally {
      await close();
    }
  });

  test('takes at least the store delay to answer', async () => {
    const { port, close } = await startApp({ store: new MemoryPriceStore({ writeDelayMs: 200 }) });
    try {
      const start = performance.now();
      const reply = await send(port, 'POST', '/price', '{"id":"7","value":"24.15"}');
      expect(reply.status).toBe(200);
      expect(since(start)).toBeGreaterThanOrEqual(200);
    } finally {
      await close();
    }
  });

  test.each([
    ['{"id":"7"', "Expected ',' or '}' after property value in JSON at position 9"],
    [
      '{"id":"7","value":"24.15"} x',
      'Unexpected non-whitespace character after JSON at position 27',
    ],
  ])("rejects the body %j as bad JSON with 400 and the parser's reason", async (body, reason) => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'POST', '/price', body);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ error: `the body is not valid JSON (${reason})` });
    } finally {
      await close();
    }
  });

  test.each([
    ['[]', 'the body must be a JSON object such as {"id":"7","value":"24.15"} (got [])'],
    ['"7"', `the body must be a JSON object such as {"id":"7","value":"24.15"} (got '7')`],
    ['null', 'the body must be a JSON object such as {"id":"7","value":"24.15"} (got null)'],
    ['{"value":"24.15"}', `'id' is missing; send a body such as {"id":"7","value":"24.15"}`],
    ['{"id":"7"}', `'value' is missing; send a body such as {"id":"7","value":"24.15"}`],
    [
      '{"id":"7","value":"24.15","currency":"EUR"}',
      "'currency' is not a field of a price; send only 'id' and 'value'",
    ],
    ['{"id":7,"value":"24.15"}', "'id' must be 1 to 12 digits without a leading zero (got 7)"],
    ['{"id":"x","value":"24.15"}', "'id' must be 1 to 12 digits without a leading zero (got 'x')"],
    [
      '{"id":"7","value":"-1"}',
      "'value' must be a non-negative decimal string such as '24.15', with at most 12 digits " +
        "before the point and 6 after (got '-1')",
    ],
    [
      '{"id":"7","value":24.15}',
      "'value' must be a non-negative decimal string such as '24.15', with at most 12 digits " +
        'before the point and 6 after (got 24.15)',
    ],
  ])('rejects the body %s with 400 and the reason', async (body, error) => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'POST', '/price', body);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual({ error });
      expect((await send(port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
    } finally {
      await close();
    }
  });

  test('rejects a body whose Content-Length is over the limit with 413 before reading it', async () => {
    const { port, close } = await startApp({ bodyLimitBytes: 64 });
    try {
      const reply = await send(port, 'POST', '/price', 'x'.repeat(65));
      expect(reply.status).toBe(413);
      expect(reply.json).toEqual({ error: "'body' must be at most 64 bytes (got 65)" });
      expect(reply.headers.connection).toBe('close');
    } finally {
      await close();
    }
  });

  test('rejects a chunked body with 413 once it passes the limit', async () => {
    const { port, close } = await startApp({ bodyLimitBytes: 64 });
    try {
      const reply = await send(port, 'POST', '/price', 'x'.repeat(1000), {
        'transfer-encoding': 'chunked',
      });
      expect(reply.status).toBe(413);
      expect(reply.json).toEqual({ error: "'body' must be at most 64 bytes (got more than 64)" });
    } finally {
      await close();
    }
  });

  test('accepts a body of exactly the limit', async () => {
    const body = '{"id":"7","value":"24.15"}';
    const { port, close } = await startApp({ bodyLimitBytes: body.length });
    try {
      expect((await send(port, 'POST', '/price', body)).status).toBe(200);
    } finally {
      await close();
    }
  });

  test('holds the working memory of each write until the write ends', async () => {
    const store = new GatedStore();
    const { app, port, close } = await startApp({ store, workingMemory: 2 * MiB });
    try {
      const replies = [1, 2, 3].map((id) =>
        send(port, 'POST', '/price', `{"id":"${id}","value":"1.00"}`),
      );
      await until(() => store.started.length === 3);
      expect(app.writes.count).toBe(3);
      expect(app.writes.heldBytes).toBe(6 * MiB);
      store.release();
      expect((await Promise.all(replies)).map((r) => r.status)).toEqual([200, 200, 200]);
      expect(app.writes.count).toBe(0);
      expect(app.writes.heldBytes).toBe(0);
    } finally {
      await close();
    }
  });

  test('holds no working memory for a write refused as malformed', async () => {
    const { app, port, close } = await startApp();
    try {
      await send(port, 'POST', '/price', '{');
      expect(app.writes.count).toBe(0);
      expect(app.writes.heldBytes).toBe(0);
    } finally {
      await close();
    }
  });

  test('ends the write when the client leaves before sending its whole body', async () => {
    const { app, port, close } = await startApp();
    try {
      const socket = connect(port, '127.0.0.1');
      socket.write('POST /price HTTP/1.1\r\nhost: x\r\ncontent-length: 100\r\n\r\n{"id"');
      await until(() => app.writes.count === 1);
      socket.destroy();
      await until(() => app.writes.count === 0);
      expect(app.writes.heldBytes).toBe(0);
    } finally {
      await close();
    }
  });

  test('answers 500 without the cause when the store fails, and logs the cause', async () => {
    const store = new MemoryPriceStore();
    store.save = () => Promise.reject(new Error('disk /var/db is full'));
    const { logger, lines } = captureLogger('info');
    const { app, port, close } = await startApp({ store, logger });
    try {
      const reply = await send(port, 'POST', '/price', '{"id":"7","value":"24.15"}');
      expect(reply.status).toBe(500);
      expect(reply.body).toBe('{"error":"internal error"}');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        level: 50,
        msg: 'request failed',
        method: 'POST',
        url: '/price',
        err: { message: 'disk /var/db is full' },
      });
      expect(app.writes.count).toBe(0);
    } finally {
      await close();
    }
  });
});

describe('health and readiness', () => {
  test('answers 200 on /health and /ready while serving', async () => {
    const { port, close } = await startApp();
    try {
      expect(await send(port, 'GET', '/health')).toMatchObject({
        status: 200,
        body: '{"status":"ok"}',
      });
      expect(await send(port, 'GET', '/ready')).toMatchObject({
        status: 200,
        body: '{"status":"ready"}',
      });
    } finally {
      await close();
    }
  });

  test('answers 503 on /ready but 200 on /health once draining', async () => {
    const { app, port, close } = await startApp();
    try {
      app.drain();
      const ready = await send(port, 'GET', '/ready');
      expect(ready).toMatchObject({ status: 503, body: '{"status":"draining"}' });
      expect(ready.headers.connection).toBe('close');
      expect(await send(port, 'GET', '/health')).toMatchObject({
        status: 200,
        body: '{"status":"ok"}',
      });
    } finally {
      await close();
    }
  });

  test('refuses new writes with 503 but still answers reads once draining', async () => {
    const { app, port, close } = await startApp();
    try {
      app.drain();
      const write = await send(port, 'POST', '/price', '{"id":"7","value":"24.15"}');
      expect(write.status).toBe(503);
      expect(write.json).toEqual({ error: 'the service is shutting down; send the write again' });
      expect((await send(port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
    } finally {
      await close();
    }
  });
});

describe('routing', () => {
  test.each([
    [
      'POST',
      '/price/7',
      'GET, HEAD',
      "method 'POST' is not allowed on '/price/7'; use GET or HEAD",
    ],
    [
      'DELETE',
      '/price/7',
      'GET, HEAD',
      "method 'DELETE' is not allowed on '/price/7'; use GET or HEAD",
    ],
    ['GET', '/price', 'POST', "method 'GET' is not allowed on '/price'; use POST"],
    ['PUT', '/price', 'POST', "method 'PUT' is not allowed on '/price'; use POST"],
    ['POST', '/health', 'GET, HEAD', "method 'POST' is not allowed on '/health'; use GET or HEAD"],
    ['PATCH', '/ready', 'GET, HEAD', "method 'PATCH' is not allowed on '/ready'; use GET or HEAD"],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow, error) => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, method, path, method === 'GET' ? undefined : '{}');
      expect(reply.status).toBe(405);
      expect(reply.headers.allow).toBe(allow);
      expect(reply.json).toEqual({ error });
    } finally {
      await close();
    }
  });

  test('answers 404 naming the routes for an unknown path', async () => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'GET', '/prices/7');
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual({
        error:
          "no resource at '/prices/7'; the service answers GET /price/{id}, POST /price, " +
          'GET /health and GET /ready',
      });
    } finally {
      await close();
    }
  });

  test('shortens a long unknown path in the error', async () => {
    const { port, close } = await startApp();
    try {
      const reply = await send(port, 'GET', `/${'a'.repeat(500)}`);
      expect(reply.status).toBe(404);
      expect(reply.json.error).toBe(
        `no resource at '/${'a'.repeat(59)}…'; the service answers GET /price/{id}, ` +
          'POST /price, GET /health and GET /ready',
      );
    } finally {
      await close();
    }
  });
});

describe('request logging', () => {
  test('logs one line per request at debug', async () => {
    const { logger, lines } = captureLogger('debug');
    const { port, close } = await startApp({ logger });
    try {
      await send(port, 'GET', '/price/7');
      await until(() => lines.length === 1);
      expect(lines[0]).toMatchObject({
        level: 20,
        msg: 'request served',
        method: 'GET',
        url: '/price/7',
        status: 200,
      });
      expect(typeof lines[0].durationMs).toBe('number');
    } finally {
      await close();
    }
  });

  test('logs each arrival at trace, before the request is served', async () => {
    const { logger, lines } = captureLogger('trace');
    const store = new GatedStore();
    const { port, close } = await startApp({ logger, store });
    try {
      const reply = send(port, 'POST', '/price');
      await until(() => store.started.length === 1);
      expect(lines).toEqual([
        expect.objectContaining({
          level: 10,
          msg: 'request received',
          method: 'POST',
          url: '/price',
        }),
      ]);
      store.release();
      await reply;
    } finally {
      await close();
    }
  });

  test('logs no request lines at info', async () => {
    const { logger, lines } = captureLogger('info');
    const { port, close } = await startApp({ logger });
    try {
      await send(port, 'GET', '/price/7');
      await send(port, 'GET', '/price/abc');
      expect(lines).toEqual([]);
    } finally {
      await close();
    }
  });
});
