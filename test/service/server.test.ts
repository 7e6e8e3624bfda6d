import { createServer as createTcpServer, connect, Socket, AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { loadServiceConfig, ServiceConfig } from '../../src/service/config';
import { PriceServer, ServerTimeouts } from '../../src/service/server';
import { send, since } from './support';

function configWith(overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return { ...loadServiceConfig({}), port: 0, ...overrides };
}

function startServer(
  config: Partial<ServiceConfig> = {},
  timeouts?: Partial<ServerTimeouts>,
): Promise<PriceServer> {
  return PriceServer.start({
    config: configWith(config),
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
    timeouts,
  });
}

/** Everything the server sends on a raw connection until it closes it. */
function readUntilClosed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

function rawConnection(port: number): Promise<Socket> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
  });
}

describe('PriceServer', () => {
  test('serves the price app on the port it picked', async () => {
    const server = await startServer();
    try {
      expect(server.port).toBeGreaterThan(0);
      expect((await send(server.port, 'GET', '/price/7')).body).toBe('{"value":"23.10"}');
    } finally {
      await server.shutdown(1000);
    }
  });

  test('writes through a memory store with the configured database delay', async () => {
    const server = await startServer({ databaseDelayMs: 200 });
    try {
      const start = performance.now();
      expect((await send(server.port, 'POST', '/price')).status).toBe(200);
      expect(since(start)).toBeGreaterThanOrEqual(200);
    } finally {
      await server.shutdown(1000);
    }
  });

  test('keeps idle connections open for 65 s by default, and says so', async () => {
    const server = await startServer();
    try {
      const reply = await send(server.port, 'GET', '/health', undefined, {
        connection: 'keep-alive',
      });
      expect(reply.headers['keep-alive']).toBe('timeout=65');
    } finally {
      await server.shutdown(1000);
    }
  });

  test('answers 408 and closes when a client sends its headers too slowly', async () => {
    const server = await startServer({}, { headersMs: 300, checkIntervalMs: 100 });
    try {
      const socket = await rawConnection(server.port);
      const received = readUntilClosed(socket);
      socket.write('GET /price/7 HTTP/1.1\r\n');
      const drip = setInterval(() => socket.writable && socket.write('x-slow: 1\r\n'), 100);
      const start = performance.now();
      const answer = await received;
      clearInterval(drip);
      expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
      expect(answer.endsWith('{"error":"the request did not arrive in time"}')).toBe(true);
      expect(since(start)).toBeLessThan(2000);
    } finally {
      await server.shutdown(1000);
    }
  });

  test('answers 400 with a reason and closes on bytes that are not HTTP', async () => {
    const server = await startServer();
    try {
      const socket = await rawConnection(server.port);
      const received = readUntilClosed(socket);
      socket.write('\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 hello\r\n\r\n');
      expect(await received).toBe(
        'HTTP/1.1 400 Bad Request\r\nconnection: close\r\n' +
          'content-type: application/json; charset=utf-8\r\ncontent-length: 45\r\n\r\n' +
          '{"error":"the request is not valid HTTP/1.1"}',
      );
    } finally {
      await server.shutdown(1000);
    }
  });

  test('answers 431 to headers larger than Node accepts', async () => {
    const server = await startServer();
    try {
      const socket = await rawConnection(server.port);
      const received = readUntilClosed(socket);
      socket.write(`GET /price/7 HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`);
      const answer = await received;
      expect(answer).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
      expect(answer.endsWith('{"error":"the request headers are too large"}')).toBe(true);
    } finally {
      await server.shutdown(1000);
    }
  });

  test('fails to start when its port is taken', async () => {
    const taken = createTcpServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as AddressInfo).port;
      await expect(startServer({ port })).rejects.toThrow(
        `listen EADDRINUSE: address already in use 127.0.0.1:${port}`,
      );
    } finally {
      taken.close();
    }
  });
});

describe('PriceServer.shutdown', () => {
  test('lets a write accepted before it finish with 200, and refuses new connections', async () => {
    const server = await startServer({ databaseDelayMs: 300 });
    const write = send(server.port, 'POST', '/price', '{"id":"7","value":"24.15"}');
    while (server.app.writes.count === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const shutdown = server.shutdown(5000);
    await expect(send(server.port, 'GET', '/price/7')).rejects.toThrow('ECONNREFUSED');
    const reply = await write;
    expect(reply.status).toBe(200);
    expect(reply.headers.connection).toBe('close');
    expect(await shutdown).toEqual({ abandonedWrites: 0 });
  });

  test('closes idle keep-alive connections at once', async () => {
    const server = await startServer();
    const socket = await rawConnection(server.port);
    const received = readUntilClosed(socket);
    socket.write('GET /health HTTP/1.1\r\nhost: x\r\n\r\n');
    await new Promise((resolve) => socket.once('data', resolve));
    const start = performance.now();
    expect(await server.shutdown(5000)).toEqual({ abandonedWrites: 0 });
    expect(await received).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(since(start)).toBeLessThan(1000);
  });

  test('cuts the writes left when the grace period runs out, and counts them', async () => {
    const server = await startServer({ databaseDelayMs: 1000 });
    const write = send(server.port, 'POST', '/price');
    while (server.app.writes.count === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const start = performance.now();
    expect(await server.shutdown(200)).toEqual({ abandonedWrites: 1 });
    expect(since(start)).toBeLessThan(1000);
    await expect(write).rejects.toThrow('socket hang up');
  });
});
