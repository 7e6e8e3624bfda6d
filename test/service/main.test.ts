import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  bundleService,
  MiB,
  Reply,
  rssOf,
  runToExit,
  send,
  ServiceProcess,
  since,
  startService,
} from './support';

let bundle: string;
beforeAll(() => {
  bundle = bundleService();
});
afterAll(() => rmSync(dirname(bundle), { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the service has logged the arrival of `count` POST requests (LOG_LEVEL=trace). */
async function writesArrived(service: ServiceProcess, count: number): Promise<void> {
  const arrived = () =>
    service.logs.filter((line) => line.msg === 'request received' && line.method === 'POST');
  while (arrived().length < count) await sleep(10);
}

/** The messages logged at info and above. */
function messages(service: ServiceProcess): unknown[] {
  return service.logs
    .filter((line) => !['trace', 'debug'].includes(line.level as string))
    .map((line) => line.msg);
}

describe('the launcher', () => {
  test('logs its port and settings as one JSON line once listening', async () => {
    const service = await startService(bundle, { DATABASE_DELAY: '250ms' });
    try {
      expect(service.logs).toHaveLength(1);
      expect(service.logs[0]).toMatchObject({
        level: 'info',
        name: 'price-service',
        msg: 'price service listening',
        port: service.port,
        settings: {
          port: 0,
          databaseDelayMs: 250,
          writeWorkingMemoryBytes: MiB,
          bodyLimitBytes: 16 * 1024,
          shutdownGraceMs: 25_000,
          logLevel: 'info',
        },
      });
      expect((await send(service.port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
    } finally {
      service.child.kill('SIGKILL');
    }
  });

  test('exits 1 with one line naming the bad variable, its value and the rule', async () => {
    const result = await runToExit(bundle, { DATABASE_DELAY: '5 seconds' });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "'DATABASE_DELAY' must be a duration such as '250ms', '5s' or '1m30s' (got '5 seconds')\n",
    });
  });

  test('exits 1 with a JSON line when its port is taken', async () => {
    const first = await startService(bundle);
    try {
      const result = await runToExit(bundle, { PORT: `${first.port}` });
      expect(result.code).toBe(1);
      const line = JSON.parse(result.stdout);
      expect(line).toMatchObject({ level: 'fatal', msg: 'price service could not start' });
      expect(line.err.message).toBe(`listen EADDRINUSE: address already in use :::${first.port}`);
    } finally {
      first.child.kill('SIGKILL');
    }
  });
});

describe('shutdown on signals', () => {
  test('answers writes accepted before SIGTERM with 200, refuses new connections, exits 0', async () => {
    const service = await startService(bundle, { DATABASE_DELAY: '1500ms', LOG_LEVEL: 'trace' });
    const writes = [1, 2, 3, 4, 5].map((id) =>
      send(service.port, 'POST', '/price', `{"id":"${id}","value":"1.00"}`),
    );
    await writesArrived(service, 5);
    service.child.kill('SIGTERM');
    await sleep(100);
    await expect(send(service.port, 'GET', '/health')).rejects.toThrow('ECONNREFUSED');
    expect((await Promise.all(writes)).map((reply) => reply.status)).toEqual([
      200, 200, 200, 200, 200,
    ]);
    expect(await service.exited).toBe(0);
    expect(messages(service)).toEqual(['price service listening', 'draining', 'drained, exiting']);
    expect(service.logs.find((line) => line.msg === 'draining')).toMatchObject({
      signal: 'SIGTERM',
      writesInFlight: 5,
      graceMs: 25_000,
    });
  });

  test('exits 1 at once on a second signal', async () => {
    const service = await startService(bundle, { DATABASE_DELAY: '20s', LOG_LEVEL: 'trace' });
    const write = send(service.port, 'POST', '/price').catch((err: Error) => err);
    await writesArrived(service, 1);
    service.child.kill('SIGTERM');
    await sleep(100);
    const start = performance.now();
    service.child.kill('SIGINT');
    expect(await service.exited).toBe(1);
    expect(since(start)).toBeLessThan(1000);
    expect(await write).toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
    expect(service.logs.at(-1)).toMatchObject({
      level: 'warn',
      msg: 'second signal, exiting at once',
      signal: 'SIGINT',
      writesInFlight: 1,
    });
  });

  test('exits 1 when writes are still in flight as the grace period runs out', async () => {
    const service = await startService(bundle, {
      DATABASE_DELAY: '20s',
      SHUTDOWN_GRACE: '300ms',
      LOG_LEVEL: 'trace',
    });
    const write = send(service.port, 'POST', '/price').catch((err: Error) => err);
    await writesArrived(service, 1);
    const start = performance.now();
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(1);
    expect(since(start)).toBeLessThan(1500);
    expect(await write).toMatchObject({ message: 'socket hang up', code: 'ECONNRESET' });
    expect(service.logs.at(-1)).toMatchObject({
      level: 'error',
      msg: 'grace period over, writes abandoned',
      abandonedWrites: 1,
      graceMs: 300,
    });
  });
});

/** What a raw connection got back: the status of the answer, or 'closed' without one. */
function exchangeRaw(
  port: number,
  payload: Buffer | string,
  dripMs = 0,
): Promise<number | 'closed'> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let drip: NodeJS.Timeout | undefined;
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearInterval(drip);
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(received);
      resolve(status ? Number(status[1]) : 'closed');
    });
    if (dripMs === 0) {
      socket.end(payload);
    } else {
      socket.write(payload);
      drip = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), dripMs);
    }
  });
}

function statusOf(reply: Promise<Reply>): Promise<number | 'closed'> {
  return reply.then(
    (r) => r.status,
    () => 'closed' as const,
  );
}

describe('bad input', () => {
  test('answers 200+ malformed requests with 4xx or a close, stays up, and returns near its baseline RSS', async () => {
    const service = await startService(bundle);
    try {
      const { port } = service;
      for (let i = 0; i < 50; i++) await send(port, 'GET', '/price/7');
      await sleep(500);
      const baseline = rssOf(service.child.pid!);

      const big = Buffer.alloc(MiB, 'x');
      const outcomes = await Promise.all([
        ...times(60, (i) => exchangeRaw(port, randomBytes(1 + ((i * 97) % 3000)))),
        ...times(10, () =>
          exchangeRaw(port, `GET /price/7 HTTP/1.1\r\nx: ${'a'.repeat(20_000)}\r\n\r\n`),
        ),
        ...times(10, () => exchangeRaw(port, 'GET /price/7 HTTP/1.1\r\n', 500)),
        ...times(40, (i) => statusOf(send(port, 'POST', '/price', `{"id":"${i}","value":`))),
        ...times(20, (i) => statusOf(send(port, 'POST', '/price', `{"id":"${i}","value":"-1"}`))),
        ...times(15, () => statusOf(send(port, 'POST', '/price', big))),
        ...times(5, () =>
          statusOf(send(port, 'POST', '/price', big, { 'transfer-encoding': 'chunked' })),
        ),
        ...times(30, (i) => statusOf(send(port, 'GET', `/price/${'x'.repeat(i)}0${i}`))),
        ...times(30, (i) => statusOf(send(port, ['DELETE', 'PUT', 'PATCH'][i % 3], '/price/7'))),
      ]);

      expect(outcomes.length).toBeGreaterThanOrEqual(200);
      const unexpected = outcomes.filter((o) => o !== 'closed' && (o < 400 || o > 499));
      expect(unexpected).toEqual([]);
      for (const status of [400, 405, 408, 413, 431]) expect(outcomes).toContain(status);
      expect(service.child.exitCode).toBeNull();
      expect((await send(port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
      await sleep(1000);
      const grown = rssOf(service.child.pid!) - baseline;
      expect(grown).toBeLessThan(16 * MiB);
    } finally {
      service.child.kill('SIGKILL');
    }
  });
});

function times<T>(count: number, make: (i: number) => T): T[] {
  return Array.from({ length: count }, (_, i) => make(i));
}
