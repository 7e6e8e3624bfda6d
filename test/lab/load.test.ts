import { once } from 'node:events';
import { createServer, Server } from 'node:http';
import { freePort } from '../../src/lab/gateway';
import {
  attack,
  AttackOptions,
  MAX_REQUESTS_PER_ATTACK,
  plannedRequests,
} from '../../src/lab/load';

const HOST = '127.0.0.1';

/** A server that answers every request with `status` after `delayMs`, and logs arrivals. */
async function server(delayMs: number, status = 200) {
  const arrivals: Array<{ method: string; url: string; body: string; atMs: number }> = [];
  const started = performance.now();
  const http = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      arrivals.push({
        method: req.method!,
        url: req.url!,
        body,
        atMs: performance.now() - started,
      });
      setTimeout(() => res.writeHead(status).end('done'), delayMs).unref();
    });
  });
  http.listen(0, HOST);
  await once(http, 'listening');
  return { http, port: (http.address() as { port: number }).port, arrivals };
}

function closeAll(http: Server): Promise<void> {
  http.closeAllConnections();
  return new Promise((resolve) => http.close(() => resolve()));
}

function options(port: number, overrides: Partial<AttackOptions> = {}): AttackOptions {
  const origin = performance.now();
  return {
    endpoint: 'write',
    phase: 'attack',
    address: { host: HOST, port },
    target: { method: 'POST', path: '/price', body: '{"id":"7","value":"23.10"}' },
    rate: 20,
    durationMs: 1000,
    startMs: 0,
    clock: () => performance.now() - origin,
    ...overrides,
  };
}

describe('attack', () => {
  test('sends on schedule whether or not earlier requests have returned (open model)', async () => {
    const { http, port, arrivals } = await server(1500);
    try {
      const records = await attack(options(port));

      expect(records).toHaveLength(20);
      // Every request arrived before the first answer could have left the server.
      expect(arrivals).toHaveLength(20);
      expect(Math.max(...arrivals.map((a) => a.atMs))).toBeLessThan(1400);
      records.forEach((record, n) => {
        expect(record.scheduledMs).toBeCloseTo(n * 50, 5);
        expect(record.sentMs - record.scheduledMs).toBeLessThan(30);
        expect(record.latencyMs).toBeGreaterThanOrEqual(1490);
      });
    } finally {
      await closeAll(http);
    }
  });

  test('records the endpoint, phase, status, and sends the target’s method, path and body', async () => {
    const { http, port, arrivals } = await server(0, 503);
    try {
      const records = await attack(options(port, { rate: 10, durationMs: 200 }));

      expect(records.map(({ endpoint, phase, status }) => ({ endpoint, phase, status }))).toEqual([
        { endpoint: 'write', phase: 'attack', status: 503 },
        { endpoint: 'write', phase: 'attack', status: 503 },
      ]);
      expect(arrivals.map(({ method, url, body }) => [method, url, body])).toEqual([
        ['POST', '/price', '{"id":"7","value":"23.10"}'],
        ['POST', '/price', '{"id":"7","value":"23.10"}'],
      ]);
    } finally {
      await closeAll(http);
    }
  });

  test('waits for startMs before the first request', async () => {
    const { http, port } = await server(0);
    try {
      const records = await attack(options(port, { rate: 5, durationMs: 200, startMs: 300 }));
      expect(records[0].scheduledMs).toBe(300);
      expect(records[0].sentMs).toBeGreaterThanOrEqual(299);
    } finally {
      await closeAll(http);
    }
  });

  test('records status 0 and the reason when nothing listens', async () => {
    const port = await freePort();
    const records = await attack(options(port, { rate: 10, durationMs: 100 }));
    expect(records.map(({ status, error }) => [status, error])).toEqual([[0, 'ECONNREFUSED']]);
  });

  test('abandons a request after timeoutMs and records it as a timeout', async () => {
    const { http, port } = await server(5000);
    try {
      const records = await attack(options(port, { rate: 10, durationMs: 100, timeoutMs: 200 }));
      expect(records.map(({ status, error }) => [status, error])).toEqual([[0, 'timeout']]);
      expect(records[0].latencyMs).toBeGreaterThanOrEqual(199);
      expect(records[0].latencyMs).toBeLessThan(1000);
    } finally {
      await closeAll(http);
    }
  });
});

describe('plannedRequests', () => {
  test('plans one request at the start and one per 1 / rate within the duration', () => {
    expect(plannedRequests(options(1, { rate: 50, durationMs: 60_000 }))).toBe(3000);
    expect(plannedRequests(options(1, { rate: 3, durationMs: 1000 }))).toBe(3);
    expect(plannedRequests(options(1, { rate: 3, durationMs: 1001 }))).toBe(4);
  });

  test('rejects a rate that is not above 0', () => {
    expect(() => plannedRequests(options(1, { rate: 0 }))).toThrow(
      "'write rate' must be above 0 per second (got 0)",
    );
  });

  test('rejects a duration that is not above 0', () => {
    expect(() => plannedRequests(options(1, { endpoint: 'read', durationMs: -5 }))).toThrow(
      "'read duration' must be above 0 ms (got -5)",
    );
  });

  test('rejects an attack that would plan too many requests', () => {
    expect(() => plannedRequests(options(1, { rate: 5000, durationMs: 60_000 }))).toThrow(
      `'write rate' × duration must plan at most ${MAX_REQUESTS_PER_ATTACK} requests ` +
        '(got 5000/s for 60000 ms = 300000)',
    );
  });
});
