/**
 * What the lab records while it runs, shared by the load generator, the compartment
 * supervisor, the report and the timeline. Every time is in milliseconds since the run's
 * start (the moment the idle baseline begins), so that requests, memory samples and
 * compartment events line up on one axis.
 */

/** The two endpoints of the price API, named after the compartment that serves them. */
export type Endpoint = 'read' | 'write';

/** The two parts of a run: reads alone (the idle baseline), then reads beside the write flood. */
export type Phase = 'idle' | 'attack';

/** One request the load generator sent, and what came back. */
export interface RequestRecord {
  /** Which endpoint the request went to. */
  readonly endpoint: Endpoint;

  /** The phase the request was scheduled in. */
  readonly phase: Phase;

  /** When the request was due to leave (open model: the schedule, not the previous reply). */
  readonly scheduledMs: number;

  /** When it actually left; later than `scheduledMs` only when the event loop fell behind. */
  readonly sentMs: number;

  /** From `sentMs` to the end of the response body, or to the error. */
  readonly latencyMs: number;

  /** The HTTP status, or 0 when no response arrived (`error` then says why). */
  readonly status: number;

  /** Why no response arrived: a socket error code such as `ECONNRESET`, or `timeout`. */
  readonly error?: string;
}

/** One reading of a compartment's memory use. */
export interface MemorySample {
  readonly atMs: number;

  /** Memory charged to the compartment (its cgroup's usage, or the process's RSS), in bytes. */
  readonly bytes: number;
}

/** Something that happened to a supervised compartment process. */
export interface CompartmentEvent {
  readonly atMs: number;

  /**
   * - `started`: a process was spawned;
   * - `ready`: it answered its readiness probe;
   * - `exited`: it ended (`detail` gives the code or signal);
   * - `oom-killed`: the kernel killed it for going over its memory limit;
   * - `restart-scheduled`: it will be started again after `delayMs` (CrashLoopBackOff);
   * - `stopped`: the lab stopped it at the end of the run.
   */
  readonly kind: 'started' | 'ready' | 'exited' | 'oom-killed' | 'restart-scheduled' | 'stopped';

  /** Exit code or signal for `exited`, free text otherwise. */
  readonly detail?: string;

  /** The back-off before the next start, for `restart-scheduled`. */
  readonly delayMs?: number;
}

/** How a compartment fared during the run. */
export interface CompartmentFate {
  /** The compartment's name (from its settings). */
  readonly name: string;

  /** The memory limit that the kernel enforced, in bytes; undefined when none could be set. */
  readonly memoryLimitBytes?: number;

  /** How the limit was enforced: `cgroup v1`, `cgroup v2`, or why there was none. */
  readonly limitMechanism: string;

  /** The highest memory use seen, in bytes. */
  readonly peakMemoryBytes: number;

  /** How many times the kernel killed the compartment for memory. */
  readonly oomKills: number;

  /** How many times it was started again after an exit. */
  readonly restarts: number;

  /** How long it was not ready (from an exit to the next readiness), in milliseconds. */
  readonly downMs: number;

  /** Everything that happened, in order. */
  readonly events: readonly CompartmentEvent[];

  /** Memory readings, in order. */
  readonly memory: readonly MemorySample[];
}

/** What a run was asked to do, as the report and the timeline need it. */
export interface RunPlan {
  /** The scenario's name, e.g. `breaker` or `no-breaker-quick`. */
  readonly scenario: string;

  /** Writes sent per second during the attack. */
  readonly writeRate: number;

  /** Reads sent per second, in both phases. */
  readonly readRate: number;

  /** Length of the idle baseline (reads only), in milliseconds. */
  readonly idleMs: number;

  /** Length of the attack (writes and reads), in milliseconds; it starts at `idleMs`. */
  readonly attackMs: number;

  /** The write compartment's database delay, in milliseconds. */
  readonly writeDelayMs: number;

  /** The write breaker, or undefined when it is off. */
  readonly writeBreaker?: { readonly maxConnections: number; readonly maxPendingRequests: number };
}

/** Everything one run produced: the input of the report, the verdict and the timeline. */
export interface LabRun {
  readonly plan: RunPlan;

  /** Wall-clock time of the run's start, ISO 8601. */
  readonly startedAt: string;

  /** Every request, in the order they were sent. */
  readonly requests: readonly RequestRecord[];

  /** The write compartment's fate. */
  readonly write: CompartmentFate;

  /** The read compartment's fate. */
  readonly read: CompartmentFate;
}
