import { CompartmentFate, LabRun, RequestRecord } from './records';
import { isSuccess, mib, REJECTED_STATUS, verdictOf } from './report';

/**
 * The timeline picture of a run, like the Vegeta plots of the original walkthrough: a
 * standalone SVG with three stacked panels sharing one time axis (seconds since the run's
 * start). The reads and writes panels draw every request as a dot at (sent time, latency) on
 * a log latency axis shared by both, colored by outcome; the memory panel draws the write
 * compartment's memory (MiB) against its limit. The attack's start and end, the spans where
 * the write compartment was down and its OOM kills are marked; the title carries the verdict.
 *
 * The SVG is written by hand rather than with a charting library. Vega 5 with Vega-Lite 5
 * does render headless here (CommonJS, no canvas, also under jest), but it writes each dot
 * as a ~280-byte path with unrounded coordinates and ARIA labels (1.1 MB for 4,000 dots, in
 * 300-400 ms), renders asynchronously only, and layering the bands, markers and limit line
 * over faceted panels fed by different data is awkward; it would also add 85 packages
 * (42 MB) to the project's runtime dependencies. By hand, a dot is one rounded `<circle>`,
 * the output is deterministic, and 4,000 dots render in a few milliseconds.
 */

/** A span of time, in milliseconds since the run's start. */
export interface Interval {
  readonly fromMs: number;
  readonly toMs: number;
}

/** How a request ended, as the timeline colors it. */
export type Outcome = 'ok' | 'rejected' | 'failed';

/** The outcomes' colors: success green, 503 amber, any other status or no response red. */
export const OUTCOME_COLORS: Readonly<Record<Outcome, string>> = {
  ok: '#2e9e44',
  rejected: '#f0a202',
  failed: '#d62728',
};

const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  ok: '2xx/3xx',
  rejected: '503 (breaker or compartment down)',
  failed: 'other status or no response',
};

/** The picture's width, in pixels. */
const WIDTH = 960;
const MARGIN = { left: 64, right: 20, top: 86, bottom: 44 };
const PANEL_GAP = 44;
const LATENCY_PANEL_HEIGHT = 180;
const MEMORY_PANEL_HEIGHT = 110;
const DOT_RADIUS = 1.8;
const MiB = 1024 * 1024;
const OOM_STROKE = 'stroke="#d62728" stroke-width="1.5" stroke-dasharray="4 2"';
const PHASE_STROKE = 'stroke="#555555" stroke-width="1" stroke-dasharray="6 3"';
const LIMIT_TEXT = 'text-anchor="end" fill="#d62728"';

/** A plotting area, in pixels from the picture's top left corner. */
interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Maps a value in data units to a pixel coordinate. */
type Scale = (value: number) => number;

/** What every panel shares: the time scale and the marks drawn across panels. */
interface Frame {
  readonly x: Scale;
  readonly xTicks: readonly number[];
  readonly run: LabRun;
  readonly outages: readonly Interval[];
  readonly oomKillsMs: readonly number[];
}

/** How a request ended: success (200..399), rejected (503), or failed (anything else). */
export function outcomeOf(request: RequestRecord): Outcome {
  if (isSuccess(request.status)) return 'ok';
  return request.status === REJECTED_STATUS ? 'rejected' : 'failed';
}

/**
 * The spans where a compartment was down: from an `exited` or `oom-killed` event to the next
 * `ready`, or to `endMs` (or the lab's `stopped`) when it never came back.
 */
export function downIntervals(fate: CompartmentFate, endMs: number): Interval[] {
  const intervals: Interval[] = [];
  let downSince: number | undefined;
  for (const event of fate.events) {
    if (event.kind === 'stopped') break;
    if ((event.kind === 'exited' || event.kind === 'oom-killed') && downSince === undefined) {
      downSince = event.atMs;
    } else if (event.kind === 'ready' && downSince !== undefined) {
      intervals.push({ fromMs: downSince, toMs: event.atMs });
      downSince = undefined;
    }
  }
  const stoppedAt = fate.events.find((e) => e.kind === 'stopped')?.atMs;
  if (downSince !== undefined) intervals.push({ fromMs: downSince, toMs: stoppedAt ?? endMs });
  return intervals;
}

/** The end of the time axis, in ms: the attack's end, or the last thing recorded after it. */
export function runEndMs(run: LabRun): number {
  const times = [
    run.plan.idleMs + run.plan.attackMs,
    ...run.requests.map((r) => r.sentMs + r.latencyMs),
    ...run.write.memory.map((s) => s.atMs),
    ...run.write.events.map((e) => e.atMs),
  ];
  return times.reduce((max, t) => (t > max ? t : max), 0);
}

/** The run's timeline as a standalone SVG document. */
export function timelineSvg(run: LabRun): string {
  const endMs = runEndMs(run);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const endSec = Math.max(endMs / 1000, 0.001);
  const frame: Frame = {
    x: linearScale([0, endSec], [MARGIN.left, MARGIN.left + plotWidth]),
    xTicks: ticks(endSec, 12),
    run,
    outages: downIntervals(run.write, endMs),
    oomKillsMs: run.write.events.filter((e) => e.kind === 'oom-killed').map((e) => e.atMs),
  };

  const readsBox = {
    x: MARGIN.left,
    y: MARGIN.top,
    width: plotWidth,
    height: LATENCY_PANEL_HEIGHT,
  };
  const writesBox = { ...readsBox, y: readsBox.y + readsBox.height + PANEL_GAP };
  const memoryBox = {
    ...readsBox,
    y: writesBox.y + writesBox.height + PANEL_GAP,
    height: MEMORY_PANEL_HEIGHT,
  };
  const height = memoryBox.y + memoryBox.height + MARGIN.bottom;

  const latencyDomain = latencyDomainOf(run.requests);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" ` +
      `viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...titleLines(run),
    legend(),
    latencyPanel('reads', readsBox, frame, latencyDomain),
    latencyPanel('writes', writesBox, frame, latencyDomain),
    memoryPanel(memoryBox, frame),
    timeAxisTitle(memoryBox),
    '</svg>',
  ].join('\n');
}

// --- scales and ticks ---

function linearScale(domain: [number, number], range: [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

function logScale(domain: [number, number], range: [number, number]): Scale {
  const toLog = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  return (value) => toLog(Math.log10(Math.min(Math.max(value, domain[0]), domain[1])));
}

/** Round tick values from 0 to `max`, at most `most` of them after 0. */
function ticks(max: number, most: number): number[] {
  const step = niceStep(max / most);
  const values: number[] = [];
  for (let i = 0; i * step <= max + 1e-9; i++) values.push(round(i * step, 6));
  return values;
}

/** The smallest 1, 2 or 5 × 10^n that is at least `rough`. */
function niceStep(rough: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(rough || 1));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((step) => step >= rough)!;
}

/** Decades from below the fastest latency to above the slowest, in ms; 1..1000 when none. */
function latencyDomainOf(requests: readonly RequestRecord[]): [number, number] {
  const positive = requests.map((r) => r.latencyMs).filter((ms) => ms > 0);
  if (positive.length === 0) return [1, 1000];
  const min = positive.reduce((a, b) => Math.min(a, b));
  const max = positive.reduce((a, b) => Math.max(a, b));
  const low = 10 ** Math.floor(Math.log10(min));
  const high = 10 ** Math.ceil(Math.log10(max));
  return [low, high > low ? high : low * 10];
}

function decades([low, high]: [number, number]): number[] {
  const values: number[] = [];
  for (let v = low; v <= high * 1.0001; v *= 10) values.push(round(v, 6));
  return values;
}

// --- text and numbers ---

/** A coordinate with one decimal, which is enough for a screen and keeps the file small. */
function px(value: number): string {
  return String(round(value, 1));
}

function round(value: number, decimals: number): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function text(x: number, y: number, content: string, attributes = ''): string {
  const extra = attributes ? ` ${attributes}` : '';
  return `<text x="${px(x)}" y="${px(y)}"${extra}>${escapeXml(content)}</text>`;
}

function latencyLabel(valueMs: number): string {
  return valueMs >= 1000 ? `${valueMs / 1000} s` : `${valueMs} ms`;
}

// --- title and legend ---

function titleLines(run: LabRun): string[] {
  const { plan } = run;
  const breaker = plan.writeBreaker
    ? `breaker ${plan.writeBreaker.maxConnections} / ${plan.writeBreaker.maxPendingRequests}`
    : 'breaker off';
  const title =
    `Bulkhead lab: ${plan.scenario} (${plan.writeRate} writes/s, ${plan.readRate} reads/s, ` +
    `${breaker}, ${plan.writeDelayMs} ms delay)`;
  return [
    text(MARGIN.left, 20, title, 'class="title" font-size="14" font-weight="bold"'),
    text(MARGIN.left, 38, verdictOf(run).line, 'class="verdict"'),
  ];
}

function legend(): string {
  const y = 58;
  const items: string[] = [];
  let x = MARGIN.left;
  for (const outcome of Object.keys(OUTCOME_COLORS) as Outcome[]) {
    items.push(`<circle cx="${x + 4}" cy="${y - 4}" r="4" fill="${OUTCOME_COLORS[outcome]}"/>`);
    items.push(text(x + 12, y, OUTCOME_LABELS[outcome]));
    x += 24 + OUTCOME_LABELS[outcome].length * 6;
  }
  items.push(`<rect x="${x}" y="${y - 9}" width="14" height="10" fill="#bbbbbb"/>`);
  items.push(text(x + 18, y, 'write compartment down'));
  x += 30 + 22 * 6;
  items.push(`<line x1="${x}" y1="${y - 4}" x2="${x + 14}" y2="${y - 4}" ${OOM_STROKE}/>`);
  items.push(text(x + 18, y, 'OOM kill'));
  return `<g class="legend">${items.join('')}</g>`;
}

// --- panels ---

function latencyPanel(
  endpoint: 'reads' | 'writes',
  box: Box,
  frame: Frame,
  domain: [number, number],
): string {
  const y = logScale(domain, [box.y + box.height, box.y]);
  const requests = frame.run.requests.filter((r) => `${r.endpoint}s` === endpoint);
  const isWrites = endpoint === 'writes';
  return [
    `<g id="${endpoint}" class="panel">`,
    frameRect(box),
    isWrites ? downBands(box, frame) : '',
    yGrid(
      box,
      decades(domain).map((v) => ({ y: y(v), label: latencyLabel(v) })),
    ),
    xAxis(box, frame),
    phaseMarkers(box, frame, !isWrites),
    isWrites ? oomMarkers(box, frame, true) : '',
    dots(requests, frame.x, y),
    panelLabel(box, `${endpoint} (latency, log scale)`),
    '</g>',
  ].join('\n');
}

function memoryPanel(box: Box, frame: Frame): string {
  const fate = frame.run.write;
  const topMiB = memoryTopMiB(fate);
  const y = linearScale([0, topMiB], [box.y + box.height, box.y]);
  const gridValues = ticks(topMiB, 4);
  return [
    '<g id="memory" class="panel">',
    frameRect(box),
    downBands(box, frame),
    yGrid(
      box,
      gridValues.map((v) => ({ y: y(v), label: `${v} MiB` })),
    ),
    xAxis(box, frame),
    phaseMarkers(box, frame, false),
    oomMarkers(box, frame, false),
    limitLine(box, fate, y),
    memoryLine(fate, frame.x, y),
    panelLabel(box, `${fate.name} memory`),
    '</g>',
  ].join('\n');
}

/** The memory axis's top, in MiB: a tenth above the limit or the highest sample. */
function memoryTopMiB(fate: CompartmentFate): number {
  const highest = fate.memory.reduce((max, s) => Math.max(max, s.bytes), 0);
  return (Math.max(fate.memoryLimitBytes ?? 0, highest, MiB) / MiB) * 1.1;
}

function frameRect(box: Box): string {
  return (
    `<rect class="frame" x="${px(box.x)}" y="${px(box.y)}" width="${px(box.width)}" ` +
    `height="${px(box.height)}" fill="#fafafa" stroke="#999999"/>`
  );
}

function panelLabel(box: Box, label: string): string {
  return text(box.x, box.y - 6, label, 'class="panel-label" font-weight="bold"');
}

function yGrid(box: Box, lines: readonly { y: number; label: string }[]): string {
  const right = box.x + box.width;
  return lines
    .map(
      ({ y, label }) =>
        `<line x1="${px(box.x)}" y1="${px(y)}" x2="${px(right)}" y2="${px(y)}" ` +
        `stroke="#e3e3e3"/>` +
        text(box.x - 6, y + 4, label, 'text-anchor="end"'),
    )
    .join('');
}

function xAxis(box: Box, frame: Frame): string {
  const bottom = box.y + box.height;
  const marks = frame.xTicks.map((t) => {
    const x = px(frame.x(t));
    return (
      `<line x1="${x}" y1="${px(bottom)}" x2="${x}" y2="${px(bottom + 4)}" stroke="#999999"/>` +
      text(frame.x(t), bottom + 15, String(t), 'text-anchor="middle"')
    );
  });
  return `<g class="x-axis">${marks.join('')}</g>`;
}

function timeAxisTitle(box: Box): string {
  const x = box.x + box.width / 2;
  return text(x, box.y + box.height + 34, 'seconds since start', 'text-anchor="middle"');
}

function phaseMarkers(box: Box, frame: Frame, labelled: boolean): string {
  const { idleMs, attackMs } = frame.run.plan;
  const marks = [
    { atMs: idleMs, label: 'attack starts' },
    { atMs: idleMs + attackMs, label: 'attack ends' },
  ].map(({ atMs, label }) => {
    const x = frame.x(atMs / 1000);
    const line = verticalLine(x, box, 'phase', PHASE_STROKE);
    return labelled ? line + markerLabel(x, box, label, '#555555') : line;
  });
  return marks.join('');
}

function oomMarkers(box: Box, frame: Frame, labelled: boolean): string {
  return frame.oomKillsMs
    .map((atMs) => {
      const x = frame.x(atMs / 1000);
      const line = verticalLine(x, box, 'oom', OOM_STROKE);
      return labelled ? line + markerLabel(x, box, 'OOM kill', '#d62728') : line;
    })
    .join('');
}

/** A marker's label, right of its line, or left of it near the panel's right edge. */
function markerLabel(x: number, box: Box, label: string, color: string): string {
  const nearEdge = x + 6 + label.length * 6 > box.x + box.width;
  const anchor = nearEdge ? `x="${px(x - 4)}" text-anchor="end"` : `x="${px(x + 4)}"`;
  return `<text ${anchor} y="${px(box.y + 14)}" fill="${color}">${escapeXml(label)}</text>`;
}

function verticalLine(x: number, box: Box, className: string, stroke: string): string {
  return (
    `<line class="${className}" x1="${px(x)}" y1="${px(box.y)}" x2="${px(x)}" ` +
    `y2="${px(box.y + box.height)}" ${stroke}/>`
  );
}

function downBands(box: Box, frame: Frame): string {
  return frame.outages
    .map(({ fromMs, toMs }) => {
      const x0 = frame.x(fromMs / 1000);
      const x1 = frame.x(toMs / 1000);
      return (
        `<rect class="down" x="${px(x0)}" y="${px(box.y)}" width="${px(x1 - x0)}" ` +
        `height="${px(box.height)}" fill="#bbbbbb" fill-opacity="0.5"/>`
      );
    })
    .join('');
}

/** One group of dots per outcome, successes first so that failures are drawn on top. */
function dots(requests: readonly RequestRecord[], x: Scale, y: Scale): string {
  const groups: Record<Outcome, string[]> = { ok: [], rejected: [], failed: [] };
  for (const r of requests) {
    groups[outcomeOf(r)].push(
      `<circle cx="${px(x(r.sentMs / 1000))}" cy="${px(y(r.latencyMs))}" r="${DOT_RADIUS}"/>`,
    );
  }
  return (Object.keys(groups) as Outcome[])
    .map(
      (outcome) =>
        `<g class="dots ${outcome}" fill="${OUTCOME_COLORS[outcome]}" fill-opacity="0.6">` +
        `${groups[outcome].join('')}</g>`,
    )
    .join('\n');
}

function limitLine(box: Box, fate: CompartmentFate, y: Scale): string {
  if (fate.memoryLimitBytes === undefined) {
    const note = `no memory limit (${fate.limitMechanism})`;
    return text(box.x + box.width - 6, box.y + 14, note, LIMIT_TEXT);
  }
  const limitY = y(fate.memoryLimitBytes / MiB);
  return (
    `<line class="limit" x1="${px(box.x)}" y1="${px(limitY)}" x2="${px(box.x + box.width)}" ` +
    `y2="${px(limitY)}" stroke="#d62728" stroke-width="1.5"/>` +
    text(box.x + box.width - 6, limitY - 4, `limit ${mib(fate.memoryLimitBytes)}`, LIMIT_TEXT)
  );
}

function memoryLine(fate: CompartmentFate, x: Scale, y: Scale): string {
  if (fate.memory.length === 0) return '';
  const points = fate.memory.map((s) => `${px(x(s.atMs / 1000))},${px(y(s.bytes / MiB))}`);
  return (
    `<polyline class="memory" points="${points.join(' ')}" fill="none" stroke="#1f77b4" ` +
    `stroke-width="1.5"/>`
  );
}
