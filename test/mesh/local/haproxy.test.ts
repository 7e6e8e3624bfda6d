import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { createServer, request, Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../../src/config/load';
import { freePort, LocalGateway } from '../../../src/lab/gateway';
import {
  haproxyConfig,
  LocalGatewayProps,
  OVERLOADED_HEADER,
} from '../../../src/mesh/local/haproxy';
import { SCENARIOS } from '../../support/scenarios';

const HOST = '127.0.0.1';

function props(overrides: unknown = {}, ports = { gateway: 8088, write: 9001, read: 9002 }) {
  const settings = loadSettings(overrides);
  return {
    settings,
    listen: { host: HOST, port: ports.gateway },
    compartments: {
      [settings.priceWrite.name]: { host: HOST, port: ports.write },
      [settings.priceRead.name]: { host: HOST, port: ports.read },
    },
  } satisfies LocalGatewayProps;
}

/** The lines of the section that starts with `heading`, without indentation. */
function section(config: string, heading: string): string[] {
  const blocks = config.split('\n\n').map((block) => block.split('\n'));
  const block = blocks.find((lines) => lines.some((line) => line === heading));
  if (!block) throw new Error(`no section '${heading}' in:\n${config}`);
  return block.slice(block.indexOf(heading) + 1).map((line) => line.trim());
}

describe('haproxyConfig', () => {
  test('routes POST /price to the write compartment and GET /price to the read one', () => {
    const frontend = section(haproxyConfig(props()), 'frontend gateway');
    expect(frontend).toEqual([
      'bind 127.0.0.1:8088',
      'acl price-write-route method POST',
      'acl price-write-route-path path_beg /price',
      'use_backend price-write if price-write-route price-write-route-path',
      'acl price-read-route method GET',
      'acl price-read-route-path path_beg /price',
      'use_backend price-read if price-read-route price-read-route-path',
      'default_backend no-route',
    ]);
  });

  test('renders the write breaker as maxconn and a 503 beyond maxPendingRequests queued', () => {
    const backend = section(haproxyConfig(props()), 'backend price-write');
    expect(backend).toContain(
      'http-request return status 503 content-type text/plain string "price-write: breaker open"' +
        ` hdr ${OVERLOADED_HEADER} true if { queue() ge 5 }`,
    );
    expect(backend).toContain(
      'server price-write 127.0.0.1:9001 maxconn 20 check inter 500ms fall 1 rise 1' +
        ' observe layer4 error-limit 1 on-error mark-down',
    );
  });

  test('renders no limit and no rejection when the breaker is off', () => {
    const config = haproxyConfig(props({ priceWrite: { breaker: { enabled: false } } }));
    const backend = section(config, 'backend price-write');
    expect(backend.join('\n')).not.toMatch(/maxconn|queue\(\)/);
    expect(section(config, 'backend price-read')).toContain(
      'http-request return status 503 content-type text/plain string "price-read: breaker open"' +
        ` hdr ${OVERLOADED_HEADER} true if { queue() ge 100 }`,
    );
  });

  test('renders a per-request timeout as the backend server timeout', () => {
    const config = haproxyConfig(props({ priceWrite: { timeout: { perRequestMillis: 7500 } } }));
    expect(section(config, 'backend price-write')).toContain('timeout server 7500ms');
    expect(section(config, 'backend price-read').join('\n')).not.toMatch(/timeout server/);
  });

  test('uses the compartments’ names and routes from the settings', () => {
    const config = haproxyConfig(
      props({ priceRead: { name: 'quotes', route: { method: 'GET', pathPrefix: '/quotes' } } }),
    );
    expect(section(config, 'frontend gateway')).toContain('acl quotes-route-path path_beg /quotes');
    expect(section(config, 'backend quotes')).toContainEqual(
      expect.stringMatching(/^server quotes /),
    );
  });

  test('rejects a compartment without an endpoint, naming it', () => {
    const given = props();
    expect(() =>
      haproxyConfig({ ...given, compartments: { 'price-read': given.compartments['price-read'] } }),
    ).toThrow("compartment 'price-write' has no local endpoint (endpoints given: price-read)");
  });
});

/** A slow backend that counts the requests it holds at once. */
async function slowBackend(delayMs: number) {
  let inFlight = 0;
  let peak = 0;
  const server = createServer((req, res) => {
    if (req.url === '/ready') {
      res.end('ready');
      return;
    }
    inFlight++;
    peak = Math.max(peak, inFlight);
    setTimeout(() => {
      inFlight--;
      res.end('ok');
    }, delayMs);
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, HOST);
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port, peak: () => peak };
}

function send(port: number, method: string, path: string) {
  const started = performance.now();
  return new Promise<{ status: number; ms: number; overloaded: boolean }>((resolve, reject) => {
    const req = request({ host: HOST, port, method, path, agent: false }, (res) => {
      res.resume();
      res.once('end', () =>
        resolve({
          status: res.statusCode!,
          ms: performance.now() - started,
          overloaded: res.headers[OVERLOADED_HEADER] === 'true',
        }),
      );
    });
    req.once('error', reject);
    req.end();
  });
}

describe('haproxyConfig under a real HAProxy', () => {
  const started: Array<{ stop(): unknown }> = [];
  afterEach(async () => {
    for (const process of started.splice(0)) await process.stop();
  });

  async function gatewayFor(overrides: unknown, write: Server, read: Server) {
    const port = (server: Server) => (server.address() as { port: number }).port;
    const given = props(overrides, {
      gateway: await freePort(),
      write: port(write),
      read: port(read),
    });
    const gateway = await LocalGateway.start({
      config: haproxyConfig({ ...given, checkIntervalMillis: 100 }),
      listen: given.listen,
      configFile: join(mkdtempSync(join(tmpdir(), 'haproxy-')), 'haproxy.cfg'),
    });
    started.push(gateway);
    return gateway;
  }

  function closing(server: Server) {
    started.push({ stop: () => new Promise((resolve) => server.close(resolve)) });
    return server;
  }

  test('passes the valid configuration check for every settings scenario', async () => {
    const write = closing((await slowBackend(0)).server);
    const read = closing((await slowBackend(0)).server);
    for (const overrides of Object.values(SCENARIOS)) {
      const gateway = await gatewayFor(overrides, write, read);
      await gateway.stop();
    }
  });

  test('holds maxConnections, queues maxPendingRequests and answers the rest 503 at once', async () => {
    const write = await slowBackend(1000);
    const read = await slowBackend(0);
    closing(write.server);
    closing(read.server);
    const overrides = { priceWrite: { breaker: { maxConnections: 4, maxPendingRequests: 2 } } };
    const gateway = await gatewayFor(overrides, write.server, read.server);

    const replies = await Promise.all(
      Array.from({ length: 10 }, () => send(gateway.listen.port, 'POST', '/price')),
    );

    const ok = replies.filter((reply) => reply.status === 200);
    const rejected = replies.filter((reply) => reply.status === 503);
    expect([ok.length, rejected.length]).toEqual([6, 4]);
    expect(write.peak()).toBe(4);
    expect(rejected.every((reply) => reply.overloaded && reply.ms < 100)).toBe(true);
    // Four at once, then the two queued ones: the queue really waited for a free connection.
    expect(Math.max(...ok.map((reply) => reply.ms))).toBeGreaterThanOrEqual(1900);
  });

  test('lets every request through when the breaker is off', async () => {
    const write = await slowBackend(300);
    const read = await slowBackend(0);
    closing(write.server);
    closing(read.server);
    const gateway = await gatewayFor(
      { priceWrite: { breaker: { enabled: false } } },
      write.server,
      read.server,
    );

    const replies = await Promise.all(
      Array.from({ length: 40 }, () => send(gateway.listen.port, 'POST', '/price')),
    );

    expect(replies.map((reply) => reply.status)).toEqual(Array(40).fill(200));
    expect(write.peak()).toBe(40);
  });

  test('routes by method and path, and answers 404 off the routes', async () => {
    const write = await slowBackend(0);
    const read = await slowBackend(0);
    closing(write.server);
    closing(read.server);
    const gateway = await gatewayFor({}, write.server, read.server);
    const { port } = gateway.listen;

    expect((await send(port, 'GET', '/price/7')).status).toBe(200);
    expect((await send(port, 'POST', '/price')).status).toBe(200);
    expect((await send(port, 'DELETE', '/price/7')).status).toBe(404);
    expect((await send(port, 'GET', '/health')).status).toBe(404);
    expect([write.peak(), read.peak()]).toEqual([1, 1]);
  });

  test('answers 503 at once while a compartment is down', async () => {
    const write = await slowBackend(0);
    const read = await slowBackend(0);
    closing(read.server);
    const gateway = await gatewayFor({}, write.server, read.server);
    await new Promise((resolve) => write.server.close(resolve));
    write.server.closeAllConnections();
    await new Promise((resolve) => setTimeout(resolve, 400));

    const reply = await send(gateway.listen.port, 'POST', '/price');

    expect(reply.status).toBe(503);
    expect(reply.ms).toBeLessThan(100);
    expect((await send(gateway.listen.port, 'GET', '/price/7')).status).toBe(200);
  });
});
