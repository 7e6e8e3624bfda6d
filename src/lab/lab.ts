import { join } from 'node:path';
import { CompartmentSettings, Settings } from '../config/settings';
import { parseDuration, parseQuantity } from '../config/units';
import { Endpoint as Address, haproxyConfig } from '../mesh/local/haproxy';
import { ENV, READY_PATH, PRICE_PATH } from '../service/contract';
import { WALKTHROUGH_PRICE } from '../service/store';
import { freePort, LocalGateway } from './gateway';
import { AttackWorker, roundMs, Target } from './load';
import { CompartmentEvent, CompartmentFate, LabRun, RequestRecord, RunPlan } from './records';
import { removeStaleGroups } from './cgroup';
import { BackoffOptions, CompartmentSupervisor } from './supervisor';

export interface LabOptions {
  /** Every setting; the compartments run with theirs and the gateway renders from them. */
  readonly settings: Settings;

  /** The scenario's name, for the report. */
  readonly scenario: string;

  /** Writes per second during the attack. */
  readonly writeRate: number;

  /** Reads per second, during the idle baseline and the attack. */
  readonly readRate: number;

  /** How long reads run alone before the attack, in milliseconds. */
  readonly idleMs: number;

  /** How long the write flood lasts, in milliseconds. */
  readonly attackMs: number;

  /** The price service bundle (`build/service/main.js`), run with this Node.js. */
  readonly serviceBundle: string;

  /** A folder for the gateway's configuration. */
  readonly workDir: string;

  /**
   * The back-off between restarts of an exited compartment.
   * @default - Kubernetes' CrashLoopBackOff: 10 s doubling up to 5 min
   */
  readonly backoff?: BackoffOptions;

  /**
   * Where progress lines go (compartment events, phases).
   * @default - nowhere
   */
  readonly log?: (line: string) => void;
}

/** The walkthrough's read: the cached price it writes. */
export const READ_TARGET: Target = { method: 'GET', path: `${PRICE_PATH}/${WALKTHROUGH_PRICE.id}` };

/** The walkthrough's write: `POST /price` with the price it then reads. */
export const WRITE_TARGET: Target = {
  method: 'POST',
  path: PRICE_PATH,
  body: JSON.stringify(WALKTHROUGH_PRICE),
};

/**
 * Reads sent before the run's clock starts, unrecorded, in milliseconds: the first requests
 * of a fresh process pay for its JIT compiler and new connections, which would otherwise
 * inflate the idle baseline's tail.
 */
export const WARM_UP_MS = 1000;

/** How long the compartments' processes may take to drain when the run ends (SIGTERM). */
const STOP_GRACE_MS = 5000;

/**
 * Runs one experiment on this machine: both compartments as processes of the real price
 * service under their memory and CPU limits (restarted with CrashLoopBackOff delays when
 * they exit), HAProxy in front of them rendered from the same settings, then an idle baseline
 * of reads alone followed by the write flood beside the same steady reads. Resolves once
 * every request has returned or timed out and every process has stopped.
 */
export async function runLab(options: LabOptions): Promise<LabRun> {
  const { settings, log = () => undefined } = options;
  const started = performance.now();
  const clock = () => performance.now() - started;
  const addresses = await compartmentAddresses(settings);
  const cleared = await removeStaleGroups();
  if (cleared.length > 0) log(`removed ${cleared.length} cgroups left by killed runs`);

  const compartments = [settings.priceWrite, settings.priceRead];
  const supervisors = compartments.map(
    (compartment) =>
      new CompartmentSupervisor(
        supervisorOptions(compartment, addresses[compartment.name].port, options, clock),
      ),
  );
  let gateway: LocalGateway | undefined;
  const stopAll = async () => {
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    await gateway?.stop();
  };
  ACTIVE_RUNS.add(stopAll);
  try {
    log('starting the compartments');
    await Promise.all(supervisors.map((supervisor) => supervisor.start()));
    supervisors.forEach((supervisor, index) => log(limitLine(compartments[index], supervisor)));
    gateway = await startGateway(settings, addresses, options.workDir);
    log(`gateway listening on ${gateway.listen.host}:${gateway.listen.port}`);
    const { requests, originMs } = await sendLoad(options, gateway.listen, log);
    const [write, read] = await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    // The supervisors' clock started at `started`; the run's at `originMs`.
    const runStart = originMs - performance.timeOrigin - started;
    return {
      plan: planOf(options),
      startedAt: new Date(originMs).toISOString(),
      requests,
      write: shifted(write, runStart),
      read: shifted(read, runStart),
    };
  } finally {
    await stopAll();
    ACTIVE_RUNS.delete(stopAll);
  }
}

/** How to stop each run in progress: its compartments and its gateway. */
const ACTIVE_RUNS = new Set<() => Promise<void>>();

/**
 * Stops the compartments and gateways of every run in progress, for a command line that is
 * interrupted: the kernel does not end a parent's children with it, and a run left behind
 * keeps its processes and cgroups.
 */
export async function stopActiveRuns(): Promise<void> {
  await Promise.all([...ACTIVE_RUNS].map((stop) => stop()));
}

/** How a compartment's limits are enforced, or why they are not. */
function limitLine(compartment: CompartmentSettings, supervisor: CompartmentSupervisor): string {
  const mechanism = supervisor.limits?.mechanism ?? 'none: no limits were made';
  const { memory, cpu } = compartment.resources.limits;
  return mechanism.startsWith('none')
    ? `${compartment.name}: runs WITHOUT its ${memory} memory limit (${mechanism})`
    : `${compartment.name}: limited to ${memory} memory and ${cpu} CPU by ${mechanism}`;
}

/** What the report needs to know about the run's input. */
function planOf(options: LabOptions): RunPlan {
  const write = options.settings.priceWrite;
  return {
    scenario: options.scenario,
    writeRate: options.writeRate,
    readRate: options.readRate,
    idleMs: options.idleMs,
    attackMs: options.attackMs,
    writeDelayMs: parseDuration(write.databaseDelay)!,
    writeBreaker: write.breaker.enabled
      ? {
          maxConnections: write.breaker.maxConnections,
          maxPendingRequests: write.breaker.maxPendingRequests,
        }
      : undefined,
  };
}

async function compartmentAddresses(settings: Settings): Promise<Record<string, Address>> {
  const host = '127.0.0.1';
  return {
    [settings.priceWrite.name]: { host, port: await freePort() },
    [settings.priceRead.name]: { host, port: await freePort() },
  };
}

function supervisorOptions(
  compartment: CompartmentSettings,
  port: number,
  options: LabOptions,
  clock: () => number,
) {
  const { limits } = compartment.resources;
  return {
    name: compartment.name,
    command: process.execPath,
    args: [options.serviceBundle],
    env: { [ENV.port]: String(port), ...serviceEnv(compartment) },
    port,
    readyPath: READY_PATH,
    limits: {
      memoryBytes: parseQuantity(limits.memory)!,
      cpuMillicores: Math.round(parseQuantity(limits.cpu)! * 1000),
    },
    clock,
    backoff: options.backoff,
    stopGraceMs: STOP_GRACE_MS,
    onEvent: (event: CompartmentEvent) =>
      options.log?.(
        `${compartment.name}: ${event.kind}${event.detail ? ` (${event.detail})` : ''}`,
      ),
  };
}

/** The environment a compartment's container gets in the manifests, as far as it applies here. */
function serviceEnv(compartment: CompartmentSettings): Record<string, string> {
  return {
    [ENV.databaseDelay]: compartment.databaseDelay,
    [ENV.writeWorkingMemory]: compartment.writeWorkingMemory,
    [ENV.shutdownGrace]: `${STOP_GRACE_MS / 1000}s`,
    [ENV.logLevel]: 'warn',
  };
}

async function startGateway(
  settings: Settings,
  compartments: Record<string, Address>,
  workDir: string,
): Promise<LocalGateway> {
  const listen = { host: '127.0.0.1', port: await freePort() };
  return LocalGateway.start({
    config: haproxyConfig({ settings, listen, compartments }),
    listen,
    configFile: join(workDir, 'haproxy.cfg'),
  });
}

/**
 * The idle baseline, then the attack: reads all along, writes during the attack. Reads and
 * writes leave from two worker threads, so that handling the flood's answers never delays
 * the timing of a read. Resolves with every record, in the order the requests were sent.
 */
async function sendLoad(
  options: LabOptions,
  address: Address,
  log: (line: string) => void,
): Promise<{ requests: RequestRecord[]; originMs: number }> {
  const reads = { address, endpoint: 'read', target: READ_TARGET, rate: options.readRate } as const;
  const workers = await Promise.all([
    AttackWorker.start({
      warmUp: { ...reads, phase: 'idle', durationMs: WARM_UP_MS },
      attacks: [
        { ...reads, phase: 'idle', startMs: 0, durationMs: options.idleMs },
        { ...reads, phase: 'attack', startMs: options.idleMs, durationMs: options.attackMs },
      ],
    }),
    AttackWorker.start({
      attacks: [
        {
          address,
          endpoint: 'write',
          phase: 'attack',
          target: WRITE_TARGET,
          rate: options.writeRate,
          startMs: options.idleMs,
          durationMs: options.attackMs,
        },
      ],
    }),
  ]);
  // A moment's slack so that both workers are listening before the first request is due.
  const originMs = performance.timeOrigin + performance.now() + 20;
  log(`idle baseline: ${options.readRate} reads/s for ${options.idleMs / 1000} s`);
  const attackLog = setTimeout(
    () =>
      log(
        `attack: ${options.writeRate} writes/s and ${options.readRate} reads/s ` +
          `for ${options.attackMs / 1000} s`,
      ),
    options.idleMs,
  );
  try {
    const batches = await Promise.all(workers.map((worker) => worker.run(originMs)));
    return { requests: batches.flat().sort((a, b) => a.sentMs - b.sentMs), originMs };
  } finally {
    clearTimeout(attackLog);
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/**
 * `fate` with its times moved onto the run's clock, which starts `originMs` later than the
 * supervisors' (after start-up and warm-up): start-up events get negative times, and memory
 * samples from before the run are left out.
 */
function shifted(fate: CompartmentFate, originMs: number): CompartmentFate {
  return {
    ...fate,
    events: fate.events.map((event) => ({ ...event, atMs: roundMs(event.atMs - originMs) })),
    memory: fate.memory
      .map((sample) => ({ ...sample, atMs: roundMs(sample.atMs - originMs) }))
      .filter((sample) => sample.atMs >= 0),
  };
}
