import { DOMParser, Element } from '@xmldom/xmldom';
import {
  CompartmentEvent,
  CompartmentFate,
  LabRun,
  MemorySample,
  RequestRecord,
} from '../../src/lab/records';
import { verdictOf } from '../../src/lab/report';
import { downIntervals, OUTCOME_COLORS, runEndMs, timelineSvg } from '../../src/lab/timeline';

const MiB = 1024 * 1024;

function request(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    endpoint: 'read',
    phase: 'idle',
    scheduledMs: overrides.sentMs ?? 0,
    sentMs: 0,
    latencyMs: 1,
    status: 200,
    ...overrides,
  };
}

function fate(overrides: Partial<CompartmentFate> = {}): CompartmentFate {
  return {
    name: 'price-write',
    memoryLimitBytes: 128 * MiB,
    limitMechanism: 'cgroup v2',
    peakMemoryBytes: 70 * MiB,
    oomKills: 0,
    restarts: 0,
    downMs: 0,
    events: [
      { atMs: 0, kind: 'started' },
      { atMs: 300, kind: 'ready' },
    ],
    memory: [],
    ...overrides,
  };
}

/** Idle reads every 100 ms for 10 s, then reads and writes every 100 ms for 20 s. */
function labRun(overrides: { requests?: RequestRecord[]; write?: Partial<CompartmentFate> } = {}) {
  const requests = overrides.requests ?? [
    ...Array.from({ length: 100 }, (_, i) => request({ sentMs: i * 100, latencyMs: 1.5 })),
    ...Array.from({ length: 200 }, (_, i) =>
      request({ phase: 'attack', sentMs: 10_000 + i * 100, latencyMs: 1.8 }),
    ),
    ...Array.from({ length: 200 }, (_, i) =>
      request({
        endpoint: 'write',
        phase: 'attack',
        sentMs: 10_000 + i * 100,
        latencyMs: i % 4 === 0 ? 2 : 5000,
        status: i % 4 === 0 ? 503 : i % 10 === 1 ? 0 : 201,
        ...(i % 10 === 1 ? { error: 'ECONNRESET' } : {}),
      }),
    ),
  ];
  const run: LabRun = {
    plan: {
      scenario: 'breaker',
      writeRate: 10,
      readRate: 10,
      idleMs: 10_000,
      attackMs: 20_000,
      writeDelayMs: 5000,
      writeBreaker: { maxConnections: 20, maxPendingRequests: 5 },
    },
    startedAt: '2025-01-01T00:00:00.000Z',
    requests,
    write: fate(overrides.write),
    read: fate({ name: 'price-read', memoryLimitBytes: undefined }),
  };
  return run;
}

/** An OOM kill at 20 s, down until ready again at 26 s. */
const OUTAGE: readonly CompartmentEvent[] = [
  { atMs: 0, kind: 'started' },
  { atMs: 300, kind: 'ready' },
  { atMs: 20_000, kind: 'oom-killed' },
  { atMs: 20_001, kind: 'exited', detail: 'SIGKILL' },
  { atMs: 20_002, kind: 'restart-scheduled', delayMs: 5000 },
  { atMs: 25_002, kind: 'started' },
  { atMs: 26_000, kind: 'ready' },
];

/** Parses `svg`, failing on any XML error. */
function parse(svg: string) {
  const fail = (level: string, message: string) => {
    if (level !== 'warning') throw new Error(`${level}: ${message}`);
  };
  return new DOMParser({ onError: fail }).parseFromString(svg, 'image/svg+xml');
}

function elements(root: { getElementsByTagName(name: string): ArrayLike<Element> }, tag: string) {
  return Array.from(root.getElementsByTagName(tag));
}

function panel(svg: string, id: string): Element {
  const found = elements(parse(svg), 'g').find((g) => g.getAttribute('id') === id);
  if (!found) throw new Error(`no panel '${id}'`);
  return found;
}

function withClass(root: Element, tag: string, className: string): Element[] {
  return elements(root, tag).filter((e) => e.getAttribute('class')?.split(' ').includes(className));
}

function dotsOf(root: Element, outcome?: string): Element[] {
  return withClass(root, 'g', 'dots')
    .filter((g) => !outcome || g.getAttribute('class')!.includes(outcome))
    .flatMap((g) => elements(g, 'circle'));
}

function num(element: Element, attribute: string): number {
  return Number(element.getAttribute(attribute));
}

describe('downIntervals', () => {
  test('returns one span from an OOM kill to the next readiness', () => {
    expect(downIntervals(fate({ events: OUTAGE }), 30_000)).toEqual([
      { fromMs: 20_000, toMs: 26_000 },
    ]);
  });

  test('returns no span for a compartment that never went down', () => {
    const events: CompartmentEvent[] = [
      { atMs: 0, kind: 'started' },
      { atMs: 300, kind: 'ready' },
      { atMs: 30_000, kind: 'stopped' },
      { atMs: 30_010, kind: 'exited', detail: 'SIGTERM' },
    ];
    expect(downIntervals(fate({ events }), 31_000)).toEqual([]);
  });

  test('runs a span to the end when the compartment never came back', () => {
    const events: CompartmentEvent[] = [
      { atMs: 300, kind: 'ready' },
      { atMs: 12_000, kind: 'exited', detail: '1' },
    ];
    expect(downIntervals(fate({ events }), 31_000)).toEqual([{ fromMs: 12_000, toMs: 31_000 }]);
  });

  test('ends an open span when the lab stopped the compartment', () => {
    const events: CompartmentEvent[] = [
      { atMs: 12_000, kind: 'oom-killed' },
      { atMs: 29_000, kind: 'stopped' },
    ];
    expect(downIntervals(fate({ events }), 31_000)).toEqual([{ fromMs: 12_000, toMs: 29_000 }]);
  });
});

describe('runEndMs', () => {
  test('returns the attack end, or a later reply, sample or event', () => {
    expect(runEndMs(labRun({ requests: [] }))).toBe(30_000);
    const late = request({ endpoint: 'write', phase: 'attack', sentMs: 29_000, latencyMs: 5000 });
    expect(runEndMs(labRun({ requests: [late] }))).toBe(34_000);
    expect(runEndMs(labRun({ write: { memory: [{ atMs: 35_500, bytes: MiB }] } }))).toBe(35_500);
  });
});

describe('timelineSvg', () => {
  test('renders a standalone SVG document that parses as XML', () => {
    const root = parse(timelineSvg(labRun())).documentElement!;
    expect(root.tagName).toBe('svg');
    expect(root.getAttribute('xmlns')).toBe('http://www.w3.org/2000/svg');
    expect(Number(root.getAttribute('width'))).toBeGreaterThan(0);
  });

  test('renders one dot per request in the panel of its endpoint', () => {
    const svg = timelineSvg(labRun());
    expect(dotsOf(panel(svg, 'reads'))).toHaveLength(300);
    expect(dotsOf(panel(svg, 'writes'))).toHaveLength(200);
    expect(dotsOf(panel(svg, 'memory'))).toHaveLength(0);
  });

  test('colors dots by outcome: success, 503 and failure', () => {
    const writes = panel(timelineSvg(labRun()), 'writes');
    expect(dotsOf(writes, 'ok')).toHaveLength(130);
    expect(dotsOf(writes, 'rejected')).toHaveLength(50);
    expect(dotsOf(writes, 'failed')).toHaveLength(20);
    const group = withClass(writes, 'g', 'rejected')[0];
    expect(group.getAttribute('fill')).toBe(OUTCOME_COLORS.rejected);
  });

  test('renders slower requests higher and later requests further right', () => {
    const requests = [
      request({ sentMs: 1000, latencyMs: 1 }),
      request({ sentMs: 2000, latencyMs: 100 }),
    ];
    const [first, second] = dotsOf(panel(timelineSvg(labRun({ requests })), 'reads'));
    expect(num(second, 'cy')).toBeLessThan(num(first, 'cy'));
    expect(num(second, 'cx')).toBeGreaterThan(num(first, 'cx'));
  });

  test('marks the start of the attack where its first requests are drawn', () => {
    const svg = timelineSvg(labRun());
    const [attackStart, attackEnd] = withClass(panel(svg, 'reads'), 'line', 'phase');
    const firstAttackRead = dotsOf(panel(svg, 'reads'))[100];
    expect(num(attackStart, 'x1')).toBe(num(firstAttackRead, 'cx'));
    expect(num(attackEnd, 'x1')).toBeGreaterThan(num(attackStart, 'x1'));
    expect(svg).toContain('>attack starts</text>');
  });

  test('shades the span where the write compartment was down and marks its OOM kill', () => {
    const svg = timelineSvg(labRun({ write: { events: OUTAGE, oomKills: 1 } }));
    const writes = panel(svg, 'writes');
    const [band] = withClass(writes, 'rect', 'down');
    const [oom] = withClass(writes, 'line', 'oom');
    expect(withClass(writes, 'rect', 'down')).toHaveLength(1);
    expect(num(band, 'x')).toBe(num(oom, 'x1'));
    // The write sent at 26 s, when the compartment was ready again, sits on the band's end.
    const backAt26s = dotsOf(writes).find(
      (dot) => Math.abs(num(dot, 'cx') - (num(band, 'x') + num(band, 'width'))) < 0.15,
    );
    expect(backAt26s).toBeDefined();
    expect(withClass(panel(svg, 'memory'), 'rect', 'down')).toHaveLength(1);
    expect(withClass(panel(svg, 'reads'), 'rect', 'down')).toHaveLength(0);
  });

  test('shades nothing and marks no OOM kill when the write compartment stayed up', () => {
    const svg = timelineSvg(labRun());
    for (const id of ['reads', 'writes', 'memory']) {
      expect(withClass(panel(svg, id), 'rect', 'down')).toHaveLength(0);
      expect(withClass(panel(svg, id), 'line', 'oom')).toHaveLength(0);
    }
  });

  test('shades to the end of the axis when the write compartment never came back', () => {
    const events: CompartmentEvent[] = [
      { atMs: 300, kind: 'ready' },
      { atMs: 15_000, kind: 'exited', detail: '1' },
    ];
    const memory = panel(timelineSvg(labRun({ write: { events } })), 'memory');
    const [band] = withClass(memory, 'rect', 'down');
    const [frame] = withClass(memory, 'rect', 'frame');
    const right = (e: Element) => num(e, 'x') + num(e, 'width');
    expect(right(band)).toBeCloseTo(right(frame), 1);
  });

  test('draws the memory limit line at the height of a sample at the limit', () => {
    const memory: MemorySample[] = [
      { atMs: 0, bytes: 0 },
      { atMs: 10_000, bytes: 64 * MiB },
      { atMs: 20_000, bytes: 128 * MiB },
    ];
    const svg = timelineSvg(labRun({ write: { memory } }));
    const memoryPanel = panel(svg, 'memory');
    const [limit] = withClass(memoryPanel, 'line', 'limit');
    const [line] = withClass(memoryPanel, 'polyline', 'memory');
    const [frame] = withClass(memoryPanel, 'rect', 'frame');
    const ys = line
      .getAttribute('points')!
      .split(' ')
      .map((p) => Number(p.split(',')[1]));
    expect(ys).toHaveLength(3);
    expect(num(limit, 'y1')).toBe(ys[2]);
    expect(num(limit, 'y2')).toBe(ys[2]);
    expect(ys[0]).toBe(num(frame, 'y') + num(frame, 'height'));
    expect(ys[1]).toBeCloseTo((ys[0] + ys[2]) / 2, 0);
    expect(svg).toContain('>limit 128 MiB</text>');
  });

  test('says so instead of drawing a limit line when no limit was enforced', () => {
    const write = { memoryLimitBytes: undefined, limitMechanism: 'no cgroup: not permitted' };
    const memoryPanel = panel(timelineSvg(labRun({ write })), 'memory');
    expect(withClass(memoryPanel, 'line', 'limit')).toHaveLength(0);
    const notes = elements(memoryPanel, 'text').map((t) => t.textContent);
    expect(notes).toContain('no memory limit (no cgroup: not permitted)');
  });

  test('titles the picture with the scenario and the verdict line', () => {
    const run = labRun({ write: { events: OUTAGE, oomKills: 1, restarts: 1, downMs: 6000 } });
    const texts = elements(parse(timelineSvg(run)), 'text');
    const byClass = (name: string) => texts.find((t) => t.getAttribute('class') === name)!;
    expect(byClass('title').textContent).toBe(
      'Bulkhead lab: breaker (10 writes/s, 10 reads/s, breaker 20 / 5, 5000 ms delay)',
    );
    expect(byClass('verdict').textContent).toBe(verdictOf(run).line);
    expect(byClass('verdict').textContent).toContain('breaker did not hold');
  });

  test('escapes names that are not plain text', () => {
    const run = labRun();
    const svg = timelineSvg({ ...run, plan: { ...run.plan, scenario: 'a<b & "c"' } });
    const title = elements(parse(svg), 'text').find((t) => t.getAttribute('class') === 'title')!;
    expect(title.textContent).toContain('a<b & "c"');
  });

  test('renders a run without requests or memory samples', () => {
    const svg = timelineSvg(labRun({ requests: [] }));
    expect(dotsOf(panel(svg, 'reads'))).toHaveLength(0);
    expect(withClass(panel(svg, 'memory'), 'polyline', 'memory')).toHaveLength(0);
  });

  test('renders 4,000 requests in well under a second, at under 60 bytes a dot', () => {
    const requests = Array.from({ length: 4000 }, (_, i) =>
      request({
        endpoint: i % 5 === 0 ? 'read' : 'write',
        phase: 'attack',
        sentMs: 10_000 + i * 5,
        latencyMs: 1 + (i % 97) * 53.7,
        status: i % 3 === 0 ? 503 : 201,
      }),
    );
    const started = performance.now();
    const svg = timelineSvg(labRun({ requests }));
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeLessThan(500);
    expect(svg.length).toBeLessThan(4000 * 60);
    const svgDoc = parse(svg).documentElement!;
    expect(dotsOf(svgDoc)).toHaveLength(4000);
  });
});
