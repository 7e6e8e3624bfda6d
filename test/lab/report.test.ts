import { CompartmentFate, LabRun, Phase, RequestRecord, RunPlan } from '../../src/lab/records';
import {
  formatReport,
  formatStatusCodes,
  ISOLATION_P99_FACTOR,
  percentile,
  rejectedMedianMs,
  reportJson,
  resultsTableMarkdown,
  successfulWritesPerSecond,
  summarize,
  verdictOf,
} from '../../src/lab/report';

const MiB = 1024 * 1024;

function read(phase: Phase, sentMs: number, latencyMs: number, status = 200): RequestRecord {
  return { endpoint: 'read', phase, scheduledMs: sentMs, sentMs, latencyMs, status };
}

function write(sentMs: number, latencyMs: number, status = 201, error?: string): RequestRecord {
  const record = { endpoint: 'write', phase: 'attack', scheduledMs: sentMs, sentMs } as const;
  return { ...record, latencyMs, status, ...(error ? { error } : {}) };
}

/** `count` reads in `phase`, one every 100 ms from `fromMs`, each taking `latencyMs`. */
function reads(phase: Phase, count: number, fromMs: number, latencyMs: number): RequestRecord[] {
  return Array.from({ length: count }, (_, i) => read(phase, fromMs + i * 100, latencyMs));
}

function plan(overrides: Partial<RunPlan> = {}): RunPlan {
  return {
    scenario: 'breaker',
    writeRate: 20,
    readRate: 10,
    idleMs: 10_000,
    attackMs: 20_000,
    writeDelayMs: 5000,
    writeBreaker: { maxConnections: 20, maxPendingRequests: 5 },
    ...overrides,
  };
}

function fate(overrides: Partial<CompartmentFate> = {}): CompartmentFate {
  return {
    name: 'price-write',
    memoryLimitBytes: 128 * MiB,
    limitMechanism: 'cgroup v2',
    peakMemoryBytes: 71.2 * MiB,
    oomKills: 0,
    restarts: 0,
    downMs: 0,
    events: [],
    memory: [],
    ...overrides,
  };
}

/** A run with idle reads at `idleLatencyMs`, attack reads at `attackLatencyMs`, and `writes`. */
function labRun(options: {
  idleLatencyMs?: number;
  attackLatencyMs?: number;
  extraReads?: RequestRecord[];
  writes?: RequestRecord[];
  write?: Partial<CompartmentFate>;
  plan?: Partial<RunPlan>;
}): LabRun {
  return {
    plan: plan(options.plan),
    startedAt: '2025-01-01T00:00:00.000Z',
    requests: [
      ...reads('idle', 10, 0, options.idleLatencyMs ?? 2),
      ...reads('attack', 10, 10_000, options.attackLatencyMs ?? 2.4),
      ...(options.extraReads ?? []),
      ...(options.writes ?? []),
    ],
    write: fate(options.write),
    read: fate({ name: 'price-read', memoryLimitBytes: undefined, peakMemoryBytes: 40 * MiB }),
  };
}

/** 100 writes answered 201 in 5 s and 50 answered 503 in 1..50 ms, over the attack. */
function breakerWrites(): RequestRecord[] {
  const ok = Array.from({ length: 100 }, (_, i) => write(10_000 + i * 100, 5000));
  const rejected = Array.from({ length: 50 }, (_, i) => write(10_050 + i * 100, i + 1, 503));
  return [...ok, ...rejected];
}

const OOM_DAMAGE = { oomKills: 2, restarts: 3, downMs: 41_300, peakMemoryBytes: 127.9 * MiB };

describe('percentile', () => {
  const oneToHundred = Array.from({ length: 100 }, (_, i) => i + 1);

  test('returns the nearest-rank percentiles of 1..100', () => {
    expect([50, 95, 99, 100].map((p) => percentile(oneToHundred, p))).toEqual([50, 95, 99, 100]);
    expect(percentile(oneToHundred, 0.5)).toBe(1);
  });

  test('returns the smallest value that at least p% of the values do not exceed', () => {
    const oneToTen = Array.from({ length: 10 }, (_, i) => i + 1);
    expect([11, 50, 91, 95].map((p) => percentile(oneToTen, p))).toEqual([2, 5, 10, 10]);
  });

  test('returns the lower middle value as the median of an even count', () => {
    expect([25, 50, 75].map((p) => percentile([1, 2, 3, 4], p))).toEqual([1, 2, 3]);
  });

  test('returns undefined for no values', () => {
    expect(percentile([], 99)).toBeUndefined();
  });

  test('rejects a percentile of 0 or above 100', () => {
    expect(() => percentile([1], 0)).toThrow(
      "'p' must be a percentile above 0 and at most 100 (got 0)",
    );
    expect(() => percentile([1], 101)).toThrow(
      "'p' must be a percentile above 0 and at most 100 (got 101)",
    );
  });
});

describe('summarize', () => {
  test('reports rate, throughput and latencies of 1..100 ms over the phase', () => {
    const requests = Array.from({ length: 100 }, (_, i) => read('idle', i * 100, i + 1));
    expect(summarize(requests, 'read', 'idle', 10_000)).toEqual({
      endpoint: 'read',
      phase: 'idle',
      requests: 100,
      rate: 10,
      successes: 100,
      successRatio: 1,
      throughput: 10,
      latency: { meanMs: 50.5, p50Ms: 50, p95Ms: 95, p99Ms: 99, maxMs: 100 },
      statusCodes: { '200': 100 },
      rejected: { count: 0, medianMs: undefined },
    });
  });

  test('counts only the requests of the endpoint and phase asked for', () => {
    const requests = [
      read('idle', 0, 1),
      read('attack', 10, 2),
      write(20, 3),
      read('attack', 30, 4),
    ];
    const summary = summarize(requests, 'read', 'attack', 2000);
    expect(summary.requests).toBe(2);
    expect(summary.latency?.maxMs).toBe(4);
    expect(summary.rate).toBe(1);
  });

  test('counts 2xx and 3xx as success, and 4xx, 5xx and no response as failure', () => {
    const statuses = [200, 201, 302, 404, 503, 0];
    const requests = statuses.map((status, i) =>
      write(i, 10, status, status ? undefined : 'EPIPE'),
    );
    const summary = summarize(requests, 'write', 'attack', 1000);
    expect(summary.successes).toBe(3);
    expect(summary.successRatio).toBe(0.5);
    expect(summary.throughput).toBe(3);
  });

  test('keys status 0 by its error, and by unknown when it has none', () => {
    const requests = [
      write(0, 30_000, 0, 'timeout'),
      write(1, 5, 0, 'ECONNRESET'),
      write(2, 6, 0, 'ECONNRESET'),
      write(3, 7, 0),
      write(4, 5000),
    ];
    const summary = summarize(requests, 'write', 'attack', 1000);
    expect(summary.statusCodes).toEqual({
      '0 timeout': 1,
      '0 ECONNRESET': 2,
      '0 unknown': 1,
      '201': 1,
    });
    expect(formatStatusCodes(summary.statusCodes)).toBe(
      '0 ECONNRESET:2  0 timeout:1  0 unknown:1  201:1',
    );
  });

  test('reports the count and median latency of 503 answers', () => {
    const requests = [1, 40, 3, 2].map((ms, i) => write(i, ms, 503));
    const summary = summarize([...requests, write(9, 5000)], 'write', 'attack', 1000);
    expect(summary.rejected).toEqual({ count: 4, medianMs: 2 });
  });

  test('reports zeros and leaves ratios and latencies undefined when there are no requests', () => {
    expect(summarize([], 'write', 'attack', 35_000)).toEqual({
      endpoint: 'write',
      phase: 'attack',
      requests: 0,
      rate: 0,
      successes: 0,
      successRatio: undefined,
      throughput: 0,
      latency: undefined,
      statusCodes: {},
      rejected: { count: 0, medianMs: undefined },
    });
  });

  test('leaves rate and throughput undefined when the phase lasted 0 ms', () => {
    const summary = summarize([read('idle', 0, 1)], 'read', 'idle', 0);
    expect([summary.rate, summary.throughput]).toEqual([undefined, undefined]);
    expect(summary.successRatio).toBe(1);
  });

  test('rejects a negative phase length', () => {
    expect(() => summarize([], 'read', 'idle', -1)).toThrow(
      "'phaseMs' must be a number of milliseconds, 0 or more (got -1)",
    );
  });
});

describe('write figures', () => {
  test('reports successful writes per second of the attack', () => {
    const run = labRun({ writes: [...breakerWrites(), write(12_000, 5000, 0, 'ECONNRESET')] });
    expect(successfulWritesPerSecond(run)).toBe(5);
  });

  test('reports the median latency of rejected writes', () => {
    expect(rejectedMedianMs(labRun({ writes: breakerWrites() }))).toBe(25);
  });

  test('reports no median when no write was rejected', () => {
    expect(rejectedMedianMs(labRun({ writes: [write(10_000, 5000)] }))).toBeUndefined();
  });
});

describe('verdictOf', () => {
  test('reports reads isolated and the breaker held', () => {
    const verdict = verdictOf(labRun({ writes: breakerWrites() }));
    expect(verdict).toEqual({
      readsIsolated: true,
      breakerHeld: true,
      line:
        'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'breaker held (no OOM kill, peak 71.2 MiB of 128 MiB)',
      reasons: [
        'read success during the attack was 100.00% (10 of 10)',
        'read p99 during the attack, 2.4 ms, is within 1.5 × the idle p99 2.0 ms (3.0 ms)',
        'price-write was never OOM-killed: peak 71.2 MiB of 128 MiB (cgroup v2)',
      ],
    });
  });

  test('reports reads not isolated when one attack-phase read failed', () => {
    const failed = { ...read('attack', 11_050, 2.4, 0), error: 'ECONNRESET' };
    const verdict = verdictOf(labRun({ extraReads: [failed] }));
    expect([verdict.readsIsolated, verdict.breakerHeld]).toEqual([false, true]);
    expect(verdict.line).toBe(
      'verdict: reads not isolated (90.91% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'breaker held (no OOM kill, peak 71.2 MiB of 128 MiB)',
    );
  });

  test('reports reads isolated and the breaker not held after OOM kills', () => {
    const verdict = verdictOf(labRun({ write: OOM_DAMAGE }));
    expect([verdict.readsIsolated, verdict.breakerHeld]).toEqual([true, false]);
    expect(verdict.line).toBe(
      'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'breaker did not hold (2 OOM kills, 3 restarts, down 41.3 s)',
    );
    expect(verdict.reasons[2]).toBe(
      'price-write was OOM-killed 2 times under its limit of 128 MiB (cgroup v2), ' +
        'restarted 3 times and down 41.3 s',
    );
  });

  test('reports reads not isolated and the breaker not held when reads slowed down', () => {
    const verdict = verdictOf(labRun({ attackLatencyMs: 12.4, write: OOM_DAMAGE }));
    expect([verdict.readsIsolated, verdict.breakerHeld]).toEqual([false, false]);
    expect(verdict.line).toBe(
      'verdict: reads not isolated (100.00% success, p99 12.4 ms vs 2.0 ms idle, 6.20×); ' +
        'breaker did not hold (2 OOM kills, 3 restarts, down 41.3 s)',
    );
  });

  test('counts reads as isolated when their p99 is exactly the factor times idle', () => {
    expect(ISOLATION_P99_FACTOR).toBe(1.5);
    const verdict = verdictOf(labRun({ idleLatencyMs: 2, attackLatencyMs: 3 }));
    expect(verdict.readsIsolated).toBe(true);
    expect(verdict.reasons[1]).toBe(
      'read p99 during the attack, 3.0 ms, is within 1.5 × the idle p99 2.0 ms (3.0 ms)',
    );
  });

  test('reports reads not isolated when their p99 is slightly above the factor times idle', () => {
    const verdict = verdictOf(labRun({ idleLatencyMs: 2, attackLatencyMs: 3.02 }));
    expect(verdict.readsIsolated).toBe(false);
    expect(verdict.line).toBe(
      'verdict: reads not isolated (100.00% success, p99 3.0 ms vs 2.0 ms idle, 1.51×); ' +
        'breaker held (no OOM kill, peak 71.2 MiB of 128 MiB)',
    );
    expect(verdict.reasons[1]).toBe(
      'read p99 during the attack, 3.0 ms, is above 1.5 × the idle p99 2.0 ms (3.0 ms)',
    );
  });

  test('reports the breaker held after a restart that was not an OOM kill', () => {
    const verdict = verdictOf(labRun({ write: { restarts: 1, downMs: 2000 } }));
    expect(verdict.breakerHeld).toBe(true);
    expect(verdict.line).toBe(
      'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'breaker held (no OOM kill, peak 71.2 MiB of 128 MiB)',
    );
  });

  test('says the breaker was off when the run had none', () => {
    const off = { writeBreaker: undefined };
    expect(verdictOf(labRun({ plan: off, write: OOM_DAMAGE })).line).toBe(
      'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'no breaker, write compartment OOM-killed (2 OOM kills, 3 restarts, down 41.3 s)',
    );
    expect(verdictOf(labRun({ plan: off })).line).toBe(
      'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'no breaker, write compartment not OOM-killed (no OOM kill, peak 71.2 MiB of 128 MiB)',
    );
  });

  test('says when no memory limit was enforced', () => {
    const unlimited = { memoryLimitBytes: undefined, limitMechanism: 'none: no cgroup' };
    const verdict = verdictOf(labRun({ write: unlimited }));
    expect(verdict.line).toBe(
      'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'breaker held (no OOM kill, peak 71.2 MiB, no memory limit)',
    );
    expect(verdict.reasons[2]).toBe(
      'price-write ran without a memory limit (none: no cgroup), so no OOM kill could happen; ' +
        'its peak was 71.2 MiB',
    );
  });

  test('reports reads not isolated when the idle phase had no reads', () => {
    const run = labRun({});
    const verdict = verdictOf({ ...run, requests: run.requests.filter((r) => r.phase !== 'idle') });
    expect(verdict.readsIsolated).toBe(false);
    expect(verdict.line).toBe(
      'verdict: reads not isolated (no idle-phase reads); ' +
        'breaker held (no OOM kill, peak 71.2 MiB of 128 MiB)',
    );
    expect(verdict.reasons[0]).toBe('the idle phase had no reads to compare with');
  });
});

describe('formatReport', () => {
  const writes = () => [...breakerWrites(), write(12_000, 30_000, 0, 'timeout')];

  test('renders the plan, the limit and how it was enforced in the header', () => {
    const lines = formatReport(labRun({ writes: writes() })).split('\n');
    expect(lines.slice(0, 5)).toEqual([
      'bulkhead lab: scenario breaker, started 2025-01-01T00:00:00.000Z',
      '  idle:    10 reads/s for 10.0 s',
      '  attack:  20 writes/s and 10 reads/s for 20.0 s',
      '  writes:  5000 ms database delay; breaker maxConnections 20, maxPendingRequests 5',
      '  memory:  price-write limit 128 MiB (cgroup v2)',
    ]);
  });

  test('renders one row per endpoint and phase with its figures', () => {
    const lines = formatReport(labRun({ writes: writes() })).split('\n');
    const cells = (label: string) =>
      lines
        .find((l) => l.startsWith(label))!
        .split(/ {2,}/)
        .filter(Boolean);
    expect(cells('endpoint')).toEqual([
      'endpoint',
      'requests',
      'rate/s',
      'success',
      'ok/s',
      'mean',
      'p50',
      'p95',
      'p99',
      'max',
      '503s',
      '503 p50',
      'status codes',
    ]);
    expect(cells('read idle')).toEqual(
      ['read idle', '10', '1.0', '100.00%', '1.0', '2.0 ms', '2.0 ms', '2.0 ms', '2.0 ms'].concat([
        '2.0 ms',
        '0',
        '-',
        '200:10',
      ]),
    );
    expect(cells('write attack')).toEqual([
      'write attack',
      '151',
      '7.5',
      '66.23%',
      '5.0',
      '3518.4 ms',
      '5000.0 ms',
      '5000.0 ms',
      '5000.0 ms',
      '30000.0 ms',
      '50',
      '25.0 ms',
      '0 timeout:1',
      '201:100',
      '503:50',
    ]);
  });

  test('renders the compartments and ends with the verdict line', () => {
    const run = labRun({ writes: writes(), write: OOM_DAMAGE });
    const lines = formatReport(run).split('\n');
    expect(lines.slice(-5)).toEqual([
      'price-write: peak 127.9 MiB of 128 MiB (cgroup v2); 2 OOM kills, 3 restarts, down 41.3 s',
      'price-read: peak 40 MiB',
      'successful writes: 5.0/s',
      '',
      'verdict: reads isolated (100.00% success, p99 2.4 ms vs 2.0 ms idle, 1.20×); ' +
        'breaker did not hold (2 OOM kills, 3 restarts, down 41.3 s)',
    ]);
  });

  test('renders dashes for an endpoint without requests', () => {
    const lines = formatReport(labRun({})).split('\n');
    const row = lines.find((l) => l.startsWith('write attack'))!;
    expect(row.split(/ {2,}/)).toEqual(
      ['write attack', '0', '0.0', '-', '0.0'].concat(['-', '-', '-', '-', '-', '0', '-', '-']),
    );
  });
});

describe('reportJson', () => {
  test('keeps every request, the fates, the summaries and the verdict', () => {
    const memory = [{ atMs: 0, bytes: 40 * MiB }];
    const events = [{ atMs: 0, kind: 'started' as const }];
    const run = labRun({ writes: breakerWrites(), write: { memory, events } });
    const json = JSON.parse(JSON.stringify(reportJson(run)));
    expect(json.requests).toHaveLength(170);
    expect(json.requests[0]).toEqual(run.requests[0]);
    expect(json.write.memory).toEqual(memory);
    expect(json.write.events).toEqual(events);
    expect(json.plan).toEqual(run.plan);
    expect(json.summaries.writeAttack.rejected).toEqual({ count: 50, medianMs: 25 });
    expect(json.successfulWritesPerSecond).toBe(5);
    expect(json.verdict.line).toBe(verdictOf(run).line);
  });
});

describe('resultsTableMarkdown', () => {
  test('renders one row per run under a header', () => {
    const noBreaker = labRun({
      plan: { scenario: 'no-breaker', writeRate: 50, writeBreaker: undefined },
      writes: [write(10_000, 5000), write(10_100, 5, 503), write(10_200, 9, 0, 'EPIPE')],
      write: OOM_DAMAGE,
    });
    const table = resultsTableMarkdown([noBreaker, labRun({ writes: breakerWrites() })]);
    expect(table.split('\n')).toEqual([
      '| scenario | write rate | breaker | write success | writes/s ok | write p99 | 503 median | ' +
        'read success | read p99 idle → attack | OOM kills | restarts | time down | ' +
        'peak write memory | verdict |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      '| no-breaker | 50/s | off | 33.33% | 0.1 | 5000.0 ms | 5.0 ms | 100.00% | ' +
        '2.0 ms → 2.4 ms | 2 | 3 | 41.3 s | 127.9 MiB of 128 MiB | ' +
        'reads isolated; no breaker, write compartment OOM-killed |',
      '| breaker | 20/s | 20 / 5 | 66.67% | 5.0 | 5000.0 ms | 25.0 ms | 100.00% | ' +
        '2.0 ms → 2.4 ms | 0 | 0 | 0.0 s | 71.2 MiB of 128 MiB | reads isolated; breaker held |',
    ]);
  });

  test('renders only the header for no runs', () => {
    expect(resultsTableMarkdown([]).split('\n')).toHaveLength(2);
  });
});
