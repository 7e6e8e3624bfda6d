import { CompartmentFate, Endpoint, LabRun, Phase, RequestRecord } from './records';

/**
 * The lab's numbers, computed from a run's records: Vegeta-like summaries per endpoint and
 * phase, the verdict (were reads isolated, did the breaker hold), the text report the CLI
 * prints, the JSON file it writes and the Markdown table that compares scenarios.
 *
 * Percentiles are nearest-rank: the p-th percentile of n sorted values is the value at rank
 * ceil(p / 100 × n), so it is always one of the measured latencies (the median of an even
 * count is the lower of the two middle values). Success is Vegeta's: a status in 200..399.
 */

/**
 * How far the attack-phase read p99 may rise over the idle-phase read p99 (a factor, 1.5 =
 * 50% higher) for reads to count as isolated; exactly this factor still counts.
 */
export const ISOLATION_P99_FACTOR = 1.5;

/** The status the gateway answers when the breaker rejects a request or the compartment is down. */
export const REJECTED_STATUS = 503;

const MiB = 1024 * 1024;

/** Latencies of a set of requests, in milliseconds. */
export interface LatencySummary {
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** The 503 answers among a set of requests: the breaker's fast rejections. */
export interface RejectionSummary {
  readonly count: number;

  /** Their median latency, in milliseconds; undefined when there were none. */
  readonly medianMs?: number;
}

/** What one endpoint saw in one phase, in Vegeta's terms. */
export interface Summary {
  readonly endpoint: Endpoint;
  readonly phase: Phase;

  /** Requests scheduled in the phase. */
  readonly requests: number;

  /** Requests sent per second over the phase's length; undefined when the phase lasted 0 ms. */
  readonly rate?: number;

  /** Requests answered 200..399. */
  readonly successes: number;

  /** `successes / requests`, from 0 to 1; undefined when there were no requests. */
  readonly successRatio?: number;

  /** Successes per second over the phase's length; undefined when the phase lasted 0 ms. */
  readonly throughput?: number;

  /** Latencies of every request, errors included (as Vegeta does); undefined when none. */
  readonly latency?: LatencySummary;

  /** How many requests got each status; status 0 is keyed with its error, e.g. `0 ECONNRESET`. */
  readonly statusCodes: Readonly<Record<string, number>>;

  /** The 503 answers among them. */
  readonly rejected: RejectionSummary;
}

/** Whether the bulkhead did its job in a run, as booleans, one sentence and its reasons. */
export interface Verdict {
  /** Attack-phase read success was 100% and read p99 stayed within the factor of idle. */
  readonly readsIsolated: boolean;

  /**
   * The write compartment had no OOM kill. With the breaker off this still says whether the
   * compartment escaped OOM kills; the line then says that the breaker was off.
   */
  readonly breakerHeld: boolean;

  /** One plain sentence starting with `verdict:`. */
  readonly line: string;

  /** One sentence per judgement, with the numbers behind it. */
  readonly reasons: readonly string[];
}

/** The three summaries the report shows: reads alone, reads beside the flood, the flood. */
export interface RunSummaries {
  readonly readIdle: Summary;
  readonly readAttack: Summary;
  readonly writeAttack: Summary;
}

/**
 * The nearest-rank `p`-th percentile (0 < p ≤ 100) of values sorted in ascending order;
 * undefined for no values.
 */
export function percentile(sorted: readonly number[], p: number): number | undefined {
  if (!(p > 0 && p <= 100)) {
    throw new Error(`'p' must be a percentile above 0 and at most 100 (got ${p})`);
  }
  if (sorted.length === 0) return undefined;
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** Whether a status counts as success: 200..399, as Vegeta counts it. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 400;
}

/** The key a request's status is counted under: the code, or `0 <error>` with no response. */
export function statusKey(request: RequestRecord): string {
  return request.status === 0 ? `0 ${request.error ?? 'unknown'}` : String(request.status);
}

/**
 * Summarizes the requests to `endpoint` scheduled in `phase`, which lasted `phaseMs`
 * milliseconds (rates and throughput are over that length, not over the span of sends).
 */
export function summarize(
  requests: readonly RequestRecord[],
  endpoint: Endpoint,
  phase: Phase,
  phaseMs: number,
): Summary {
  if (!(Number.isFinite(phaseMs) && phaseMs >= 0)) {
    throw new Error(`'phaseMs' must be a number of milliseconds, 0 or more (got ${phaseMs})`);
  }
  const chosen = requests.filter((r) => r.endpoint === endpoint && r.phase === phase);
  const successes = chosen.filter((r) => isSuccess(r.status)).length;
  const perSecond = (count: number) => (phaseMs > 0 ? count / (phaseMs / 1000) : undefined);
  return {
    endpoint,
    phase,
    requests: chosen.length,
    rate: perSecond(chosen.length),
    successes,
    successRatio: chosen.length > 0 ? successes / chosen.length : undefined,
    throughput: perSecond(successes),
    latency: latencyOf(chosen),
    statusCodes: countStatuses(chosen),
    rejected: rejectionsOf(chosen),
  };
}

function latencyOf(requests: readonly RequestRecord[]): LatencySummary | undefined {
  if (requests.length === 0) return undefined;
  const sorted = sortedLatencies(requests);
  const at = (p: number) => percentile(sorted, p)!;
  const total = sorted.reduce((sum, ms) => sum + ms, 0);
  return {
    meanMs: total / sorted.length,
    p50Ms: at(50),
    p95Ms: at(95),
    p99Ms: at(99),
    maxMs: sorted[sorted.length - 1],
  };
}

function sortedLatencies(requests: readonly RequestRecord[]): number[] {
  return requests.map((r) => r.latencyMs).sort((a, b) => a - b);
}

function countStatuses(requests: readonly RequestRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of requests) {
    const key = statusKey(request);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

function rejectionsOf(requests: readonly RequestRecord[]): RejectionSummary {
  const rejected = requests.filter((r) => r.status === REJECTED_STATUS);
  return { count: rejected.length, medianMs: percentile(sortedLatencies(rejected), 50) };
}

/** The run's three summaries, each over its phase's planned length. */
export function summariesOf(run: LabRun): RunSummaries {
  const { idleMs, attackMs } = run.plan;
  return {
    readIdle: summarize(run.requests, 'read', 'idle', idleMs),
    readAttack: summarize(run.requests, 'read', 'attack', attackMs),
    writeAttack: summarize(run.requests, 'write', 'attack', attackMs),
  };
}

/** Attack-phase writes answered 200..399, per second of the attack (0 for a 0 ms attack). */
export function successfulWritesPerSecond(run: LabRun): number {
  return summarize(run.requests, 'write', 'attack', run.plan.attackMs).throughput ?? 0;
}

/** The median latency of the attack-phase writes answered 503, in ms; undefined when none. */
export function rejectedMedianMs(run: LabRun): number | undefined {
  return summarize(run.requests, 'write', 'attack', run.plan.attackMs).rejected.medianMs;
}

// --- the verdict ---

/** Judges the run: reads isolated from the flood, and the write compartment never OOM-killed. */
export function verdictOf(run: LabRun): Verdict {
  const { reads, breaker } = judge(run);
  return {
    readsIsolated: reads.passed,
    breakerHeld: breaker.passed,
    line: `verdict: ${reads.outcome} (${reads.figures}); ${breaker.outcome} (${breaker.figures})`,
    reasons: [...reads.reasons, ...breaker.reasons],
  };
}

/** One half of the verdict: a short outcome, the figures behind it, and why. */
interface Judgement {
  readonly passed: boolean;
  readonly outcome: string;
  readonly figures: string;
  readonly reasons: readonly string[];
}

function judge(run: LabRun): { readonly reads: Judgement; readonly breaker: Judgement } {
  return { reads: readIsolation(summariesOf(run)), breaker: breakerJudgement(run) };
}

function readIsolation(summaries: RunSummaries): Judgement {
  const idle = summaries.readIdle.latency;
  const attack = summaries.readAttack;
  if (!idle) return notJudged('no idle-phase reads', 'the idle phase had no reads to compare with');
  if (!attack.latency) {
    return notJudged('no attack-phase reads', 'the attack phase had no reads to judge');
  }
  const ratio = attack.successRatio!;
  const allowedMs = ISOLATION_P99_FACTOR * idle.p99Ms;
  const withinP99 = attack.latency.p99Ms <= allowedMs;
  const passed = attack.successes === attack.requests && withinP99;
  return {
    passed,
    outcome: passed ? 'reads isolated' : 'reads not isolated',
    figures:
      `${percent(ratio)} success, p99 ${ms(attack.latency.p99Ms)} vs ${ms(idle.p99Ms)} idle, ` +
      `${times(attack.latency.p99Ms / idle.p99Ms)}`,
    reasons: [
      `read success during the attack was ${percent(ratio)} ` +
        `(${attack.successes} of ${attack.requests})`,
      `read p99 during the attack, ${ms(attack.latency.p99Ms)}, is ` +
        `${withinP99 ? 'within' : 'above'} ${ISOLATION_P99_FACTOR} × the idle p99 ` +
        `${ms(idle.p99Ms)} (${ms(allowedMs)})`,
    ],
  };
}

function notJudged(figures: string, reason: string): Judgement {
  return { passed: false, outcome: 'reads not isolated', figures, reasons: [reason] };
}

function breakerJudgement(run: LabRun): Judgement {
  const fate = run.write;
  const passed = fate.oomKills === 0;
  return {
    passed,
    outcome: breakerOutcome(run.plan.writeBreaker !== undefined, passed),
    figures: passed ? `no OOM kill, ${peakOfLimit(fate)}` : damage(fate),
    reasons: [passed ? survivalReason(fate) : damageReason(fate)],
  };
}

function breakerOutcome(breakerOn: boolean, passed: boolean): string {
  if (breakerOn) return passed ? 'breaker held' : 'breaker did not hold';
  return `no breaker, write compartment ${passed ? 'not OOM-killed' : 'OOM-killed'}`;
}

function peakOfLimit(fate: CompartmentFate): string {
  const peak = `peak ${mib(fate.peakMemoryBytes)}`;
  return fate.memoryLimitBytes === undefined
    ? `${peak}, no memory limit`
    : `${peak} of ${mib(fate.memoryLimitBytes)}`;
}

function damage(fate: CompartmentFate): string {
  return (
    `${count(fate.oomKills, 'OOM kill')}, ${count(fate.restarts, 'restart')}, ` +
    `down ${seconds(fate.downMs)}`
  );
}

function survivalReason(fate: CompartmentFate): string {
  if (fate.memoryLimitBytes === undefined) {
    return (
      `${fate.name} ran without a memory limit (${fate.limitMechanism}), so no OOM kill could ` +
      `happen; its peak was ${mib(fate.peakMemoryBytes)}`
    );
  }
  return (
    `${fate.name} was never OOM-killed: peak ${mib(fate.peakMemoryBytes)} of ` +
    `${mib(fate.memoryLimitBytes)} (${fate.limitMechanism})`
  );
}

function damageReason(fate: CompartmentFate): string {
  return (
    `${fate.name} was OOM-killed ${count(fate.oomKills, 'time')} under its limit of ` +
    `${mib(fate.memoryLimitBytes ?? 0)} (${fate.limitMechanism}), restarted ` +
    `${count(fate.restarts, 'time')} and down ${seconds(fate.downMs)}`
  );
}

// --- formatting ---

/** A ratio as a percentage with two decimals, e.g. `99.50%`; `-` when undefined. */
export function percent(ratio: number | undefined): string {
  return ratio === undefined ? '-' : `${(ratio * 100).toFixed(2)}%`;
}

/** Milliseconds with one decimal, e.g. `1.9 ms`; `-` when undefined. */
export function ms(value: number | undefined): string {
  return value === undefined ? '-' : `${value.toFixed(1)} ms`;
}

/** Bytes in MiB with one decimal, dropped when it is 0, e.g. `71.2 MiB`, `128 MiB`. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(1).replace(/\.0$/, '')} MiB`;
}

function seconds(valueMs: number): string {
  return `${(valueMs / 1000).toFixed(1)} s`;
}

function times(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function perSecond(value: number | undefined): string {
  return value === undefined ? '-' : value.toFixed(1);
}

/** A breaker's settings as `maxConnections / maxPendingRequests`, or `off`. */
function breakerSettings(run: LabRun): string {
  const breaker = run.plan.writeBreaker;
  return breaker ? `${breaker.maxConnections} / ${breaker.maxPendingRequests}` : 'off';
}

/** Status counts as `code:count`, codes ascending and errors (status 0) first. */
export function formatStatusCodes(codes: Readonly<Record<string, number>>): string {
  const entries = Object.entries(codes).sort(([a], [b]) => compareStatusKeys(a, b));
  return entries.map(([key, n]) => `${key}:${n}`).join('  ');
}

function compareStatusKeys(a: string, b: string): number {
  return parseInt(a, 10) - parseInt(b, 10) || a.localeCompare(b);
}

// --- the text report ---

const TABLE_COLUMNS: readonly { readonly title: string; readonly width: number }[] = [
  { title: 'endpoint', width: 13 },
  { title: 'requests', width: 9 },
  { title: 'rate/s', width: 8 },
  { title: 'success', width: 9 },
  { title: 'ok/s', width: 8 },
  { title: 'mean', width: 12 },
  { title: 'p50', width: 12 },
  { title: 'p95', width: 12 },
  { title: 'p99', width: 12 },
  { title: 'max', width: 12 },
  { title: '503s', width: 6 },
  { title: '503 p50', width: 12 },
];

/** The report the CLI prints: plan, per-endpoint table, the compartments' fates, the verdict. */
export function formatReport(run: LabRun): string {
  const summaries = summariesOf(run);
  return [
    ...headerLines(run),
    '',
    ...summaryTable(summaries),
    '',
    ...fateLines(run),
    '',
    verdictOf(run).line,
  ].join('\n');
}

function headerLines(run: LabRun): string[] {
  const { plan } = run;
  const breaker = plan.writeBreaker
    ? `maxConnections ${plan.writeBreaker.maxConnections}, ` +
      `maxPendingRequests ${plan.writeBreaker.maxPendingRequests}`
    : 'off';
  const limit = run.write.memoryLimitBytes;
  return [
    `bulkhead lab: scenario ${plan.scenario}, started ${run.startedAt}`,
    `  idle:    ${plan.readRate} reads/s for ${seconds(plan.idleMs)}`,
    `  attack:  ${plan.writeRate} writes/s and ${plan.readRate} reads/s for ` +
      `${seconds(plan.attackMs)}`,
    `  writes:  ${plan.writeDelayMs} ms database delay; breaker ${breaker}`,
    `  memory:  ${run.write.name} limit ${limit === undefined ? 'none' : mib(limit)} ` +
      `(${run.write.limitMechanism})`,
  ];
}

function summaryTable(summaries: RunSummaries): string[] {
  const titles = TABLE_COLUMNS.map((c, i) => pad(c.title, c.width, i === 0)).join('');
  const header = `${titles}  status codes`;
  const rows = [
    summaryRow('read idle', summaries.readIdle),
    summaryRow('read attack', summaries.readAttack),
    summaryRow('write attack', summaries.writeAttack),
  ];
  return [header, ...rows];
}

function summaryRow(label: string, summary: Summary): string {
  const latency = summary.latency;
  const cells = [
    label,
    String(summary.requests),
    perSecond(summary.rate),
    percent(summary.successRatio),
    perSecond(summary.throughput),
    ms(latency?.meanMs),
    ms(latency?.p50Ms),
    ms(latency?.p95Ms),
    ms(latency?.p99Ms),
    ms(latency?.maxMs),
    String(summary.rejected.count),
    ms(summary.rejected.medianMs),
  ];
  const row = cells.map((cell, i) => pad(cell, TABLE_COLUMNS[i].width, i === 0)).join('');
  return `${row}  ${formatStatusCodes(summary.statusCodes) || '-'}`;
}

function pad(text: string, width: number, left: boolean): string {
  return left ? text.padEnd(width) : text.padStart(width);
}

function fateLines(run: LabRun): string[] {
  const write = run.write;
  return [
    `${write.name}: ${peakOfLimit(write)} (${write.limitMechanism}); ${damage(write)}`,
    `${run.read.name}: peak ${mib(run.read.peakMemoryBytes)}`,
    `successful writes: ${successfulWritesPerSecond(run).toFixed(1)}/s`,
  ];
}

// --- the JSON file and the README table ---

/** The JSON file's content: every record of the run, with what the report computed from them. */
export interface ReportJson {
  readonly plan: LabRun['plan'];
  readonly startedAt: string;
  readonly summaries: RunSummaries;

  /** Attack-phase writes answered 200..399 per second of the attack. */
  readonly successfulWritesPerSecond: number;

  readonly verdict: Verdict;

  /** The compartments' fates with every event and memory sample. */
  readonly write: CompartmentFate;
  readonly read: CompartmentFate;

  /** Every request: when it left, its latency and status. */
  readonly requests: LabRun['requests'];
}

/** The JSON file's content: the run's records in full, with the summaries and the verdict. */
export function reportJson(run: LabRun): ReportJson {
  return {
    plan: run.plan,
    startedAt: run.startedAt,
    summaries: summariesOf(run),
    successfulWritesPerSecond: successfulWritesPerSecond(run),
    verdict: verdictOf(run),
    write: run.write,
    read: run.read,
    requests: run.requests,
  };
}

const MARKDOWN_COLUMNS = [
  'scenario',
  'write rate',
  'breaker',
  'write success',
  'writes/s ok',
  'write p99',
  '503 median',
  'read success',
  'read p99 idle → attack',
  'OOM kills',
  'restarts',
  'time down',
  'peak write memory',
  'verdict',
];

/** A Markdown table comparing runs side by side, one row per run, for the README. */
export function resultsTableMarkdown(runs: readonly LabRun[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  return [
    line(MARKDOWN_COLUMNS),
    line(MARKDOWN_COLUMNS.map(() => '---')),
    ...runs.map((run) => line(resultsRow(run))),
  ].join('\n');
}

function resultsRow(run: LabRun): string[] {
  const { readIdle, readAttack, writeAttack } = summariesOf(run);
  const { reads, breaker } = judge(run);
  return [
    run.plan.scenario,
    `${run.plan.writeRate}/s`,
    breakerSettings(run),
    percent(writeAttack.successRatio),
    successfulWritesPerSecond(run).toFixed(1),
    ms(writeAttack.latency?.p99Ms),
    ms(writeAttack.rejected.medianMs),
    percent(readAttack.successRatio),
    `${ms(readIdle.latency?.p99Ms)} → ${ms(readAttack.latency?.p99Ms)}`,
    String(run.write.oomKills),
    String(run.write.restarts),
    seconds(run.write.downMs),
    peakOfLimit(run.write).replace(/^peak /, ''),
    `${reads.outcome}; ${breaker.outcome}`,
  ];
}

function escapeCell(cell: string): string {
  return cell.replace(/\|/g, '\\|');
}
