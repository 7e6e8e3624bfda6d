import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import {
  captureResponse,
  compareThroughput,
  formatComparison,
  formatMemory,
  measureWriteMemory,
  startBareServer,
  startService,
} from '../../src/service/bench';
import { bundleService, MiB } from './support';

let bundle: string;
beforeAll(() => {
  bundle = bundleService();
});
afterAll(() => rmSync(dirname(bundle), { recursive: true, force: true }));

/** The raw bytes of one GET answer, with the Date header's value blanked. */
function rawAnswer(port: number, path: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk;
      if (received.endsWith('}')) socket.end();
    });
    socket.once('close', () => resolve(received.replace(/^Date: .*$/m, 'Date: -')));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
  });
}

describe('bench:service', () => {
  test('runs a bare server that answers the same bytes as the service', async () => {
    const service = await startService(bundle);
    const bare = await startBareServer(await captureResponse(service.port, '/price/7'));
    try {
      const expected = await rawAnswer(service.port, '/price/7');
      expect(expected).toMatch(/\r\n\r\n\{"value":"23\.10"\}$/);
      expect(await rawAnswer(bare.port, '/price/7')).toBe(expected);
    } finally {
      await Promise.all([service.stop(), bare.stop()]);
    }
  });

  test('loads both targets and reports the ratio of their throughputs', async () => {
    const service = await startService(bundle);
    const bare = await startBareServer(await captureResponse(service.port, '/price/7'));
    try {
      const options = { connections: 4, durationSec: 1, rounds: 1, warmupSec: 1 };
      const comparison = await compareThroughput(service, bare, '/price/7', options);
      expect(comparison.service.requestsPerSec).toBeGreaterThan(0);
      expect(comparison.bare.requestsPerSec).toBeGreaterThan(0);
      expect(comparison.service.failures + comparison.bare.failures).toBe(0);
      expect(comparison.ratio).toBe(
        comparison.service.requestsPerSec / comparison.bare.requestsPerSec,
      );
    } finally {
      await Promise.all([service.stop(), bare.stop()]);
    }
  });

  test('counts non-2xx answers as failures', async () => {
    const service = await startService(bundle);
    try {
      const options = { connections: 2, durationSec: 1, rounds: 1, warmupSec: 1 };
      const comparison = await compareThroughput(service, service, '/price/99', options);
      expect(comparison.service.failures).toBeGreaterThan(0);
    } finally {
      await service.stop();
    }
  });

  test('prints both targets side by side with the ratio and its verdict', () => {
    const figures = (requestsPerSec: number) => ({
      requestsPerSec,
      p50Ms: 1,
      p99Ms: 4.5,
      failures: 0,
    });
    const options = { connections: 50, durationSec: 10, rounds: 3, warmupSec: 3 };
    const comparison = { service: figures(9_300), bare: figures(10_000), ratio: 0.93 };
    expect(formatComparison(comparison, '/price/7', options)).toBe(
      [
        'GET /price/7: 50 connections, 3 rounds of 10 s per target after 3 s warm-up (autocannon)',
        '                       req/s   p50 ms   p99 ms  failures',
        '  price service        9,300     1.00     4.50         0',
        '  bare node:http      10,000     1.00     4.50         0',
        '  ratio 0.930 (service / bare): meets the 0.90 target',
      ].join('\n'),
    );
    expect(formatComparison({ ...comparison, ratio: 0.85 }, '/price/7', options)).toMatch(
      /ratio 0\.850 \(service \/ bare\): misses the 0\.90 target$/,
    );
  });

  test('measures about the working memory per write in flight', async () => {
    const options = { workingMemory: '4Mi', databaseDelay: '2s', inFlight: [10], settleMs: 1200 };
    const figures = await measureWriteMemory(bundle, options);
    expect(figures.baselineBytes).toBeGreaterThan(20 * MiB);
    expect(figures.levels).toHaveLength(1);
    expect(figures.levels[0].inFlight).toBe(10);
    expect(figures.levels[0].perWriteBytes).toBeGreaterThan(3.6 * MiB);
    expect(figures.levels[0].perWriteBytes).toBeLessThan(4.8 * MiB);
  });

  test('prints the memory figures per level', () => {
    const options = { workingMemory: '1Mi', databaseDelay: '5s', inFlight: [25], settleMs: 2500 };
    const figures = {
      baselineBytes: 50 * MiB,
      levels: [{ inFlight: 25, rssBytes: 75 * MiB, perWriteBytes: MiB }],
    };
    expect(formatMemory(figures, options)).toBe(
      [
        'Write memory: WRITE_WORKING_MEMORY=1Mi, DATABASE_DELAY=5s (RSS from /proc)',
        '  idle (baseline)           50.0 MiB',
        '  25 writes in flight       75.0 MiB   +25.0 MiB, 1.0 MiB per write',
      ].join('\n'),
    );
  });
});
