import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The limits one compartment's processes run under, as a pod's container limits. */
export interface CompartmentLimitsProps {
  /**
   * Most memory the compartment's processes may use together, in bytes; the kernel kills a
   * process that goes over it. Swap counts too wherever the kernel can limit it.
   */
  readonly memoryBytes: number;

  /**
   * CPU time, in millicores (1000 is one core), as a CFS quota per 100 ms period.
   * @default - no CPU limit
   */
  readonly cpuMillicores?: number;
}

/** Where the cgroup hierarchies and procfs are mounted; tests point them at fake trees. */
export interface CgroupRoots {
  /**
   * Where a cgroup v2 hierarchy may be mounted; the first whose `cgroup.controllers` lists
   * `memory` is used.
   * @default ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']
   */
  readonly unified?: readonly string[];

  /**
   * The cgroup v1 memory controller's mount.
   * @default '/sys/fs/cgroup/memory'
   */
  readonly memory?: string;

  /**
   * The cgroup v1 cpu controller's mount.
   * @default '/sys/fs/cgroup/cpu'
   */
  readonly cpu?: string;

  /**
   * procfs, for the resident set size when no cgroup can be made.
   * @default '/proc'
   */
  readonly proc?: string;
}

export interface CompartmentLimitsOptions {
  /**
   * Where to look for cgroups.
   * @default - the standard Linux mounts, see `CgroupRoots`
   */
  readonly roots?: CgroupRoots;
}

/**
 * A compartment's memory (and CPU) limit as the kernel enforces it, and its memory readings.
 *
 * The group is a child of the hierarchy's root, named `bulkhead-lab-<pid>-<n>-<name>`, so that
 * runs and compartments never share one.
 */
export interface CompartmentLimits {
  /**
   * `cgroup v1` or `cgroup v2`, followed by what could not be limited in parentheses (e.g.
   * `cgroup v1 (cpu unavailable: no cgroup v1 cpu controller at /sys/fs/cgroup/cpu)`); or
   * `none: <why no cgroup could be made>`.
   */
  readonly mechanism: string;

  /** The memory limit the kernel enforces (page-rounded), in bytes; undefined for `none`. */
  readonly memoryLimitBytes?: number;

  /** The cgroup directories made for the compartment, one per hierarchy; empty for `none`. */
  readonly directories: readonly string[];

  /**
   * The files a process writes its own pid into to join the group (one per hierarchy), so that
   * it is limited before it allocates anything; empty for `none`.
   */
  readonly procsFiles: readonly string[];

  /** Moves process `pid` into the group; for `none`, includes it in the memory readings. */
  add(pid: number): void;

  /** Memory charged to the group now, in bytes; for `none`, the summed RSS of its processes. */
  usageBytes(): number;

  /**
   * The highest memory use so far, in bytes: the kernel's high-water mark where there is one,
   * and never less than any `usageBytes()` reading; for `none`, the processes' VmHWM.
   */
  peakBytes(): number;

  /**
   * How many processes the kernel has killed in the group for going over the limit; 0 for
   * `none`, undefined when the kernel does not count them (cgroup v1 before Linux 4.13).
   */
  oomKills(): number | undefined;

  /**
   * Kills any process still in the group, then removes its directories. Safe to call again,
   * and after the processes have died. Rejects when a directory is still busy after 2 s.
   */
  remove(): Promise<void>;
}

const DEFAULT_ROOTS: Required<CgroupRoots> = {
  unified: ['/sys/fs/cgroup', '/sys/fs/cgroup/unified'],
  memory: '/sys/fs/cgroup/memory',
  cpu: '/sys/fs/cgroup/cpu',
  proc: '/proc',
};

/** The CFS period the CPU quota is set against, in microseconds (the kernel's default). */
export const CPU_PERIOD_US = 100_000;

/** The smallest CPU limit, in millicores: the kernel's smallest quota is 1 ms per period. */
export const MIN_CPU_MILLICORES = 10;

/** How long `remove()` waits for a group's processes to be gone, in milliseconds. */
const REMOVE_WAIT_MS = 2_000;

/** Pause between attempts to remove a busy group, in milliseconds. */
const REMOVE_RETRY_MS = 25;

/** Numbers the groups this process makes, so that two with the same name never clash. */
let groupSequence = 0;

/**
 * Makes a cgroup for compartment `name` with `limits`: cgroup v2 where a v2 hierarchy offers
 * the memory controller, else cgroup v1; where neither can be made (no controller, not root,
 * read-only mount), the `none` variant, which limits nothing and reads memory from
 * `/proc/<pid>/status`. A missing cpu controller or swap limit is stated in `mechanism`.
 */
export function createCompartmentLimits(
  name: string,
  limits: CompartmentLimitsProps,
  options: CompartmentLimitsOptions = {},
): CompartmentLimits {
  checkName(name);
  checkLimits(limits);
  const roots = { ...DEFAULT_ROOTS, ...options.roots };
  const group = `bulkhead-lab-${process.pid}-${++groupSequence}-${name}`;
  const v2 = createV2Group(group, limits, roots);
  if (!isUnavailable(v2)) return v2;
  const v1 = createV1Group(group, limits, roots);
  if (!isUnavailable(v1)) return v1;
  const failures = [v2, v1].filter((attempt) => attempt.found);
  const reasons = (failures.length > 0 ? failures : [v2, v1]).map((attempt) => attempt.reason);
  return new ProcessMemory(`none: ${reasons.join('; ')}`, roots.proc);
}

/**
 * Removes the groups of lab runs whose process is gone (`bulkhead-lab-<pid>-…` where no
 * process `<pid>` exists), killing what is left in them: a run that was killed before it could
 * call `remove()` leaves its compartments running inside their groups. Returns the directories
 * removed. A group whose pid a new process has taken stays, as it cannot be told apart.
 */
export async function removeStaleGroups(options: CompartmentLimitsOptions = {}): Promise<string[]> {
  const roots = { ...DEFAULT_ROOTS, ...options.roots };
  const stale = [...roots.unified, roots.memory, roots.cpu].flatMap(staleGroupsIn);
  for (const dir of stale) await removeGroup(dir);
  return stale;
}

/** The groups in hierarchy `root` made by processes that no longer exist. */
function staleGroupsIn(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((name) => {
      const owner = /^bulkhead-lab-(\d+)-\d+-/.exec(name);
      return owner !== null && !processExists(Number(owner[1]));
    })
    .map((name) => join(root, name));
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return codeOf(err) === 'EPERM';
  }
}

function checkName(name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) {
    throw new Error(
      `'name' must be letters, digits, '.', '_' or '-', starting with a letter or digit ` +
        `(got '${name}')`,
    );
  }
}

function checkLimits(limits: CompartmentLimitsProps): void {
  if (!Number.isSafeInteger(limits.memoryBytes) || limits.memoryBytes <= 0) {
    throw new Error(
      `'memoryBytes' must be a whole number of bytes above 0 (got ${limits.memoryBytes})`,
    );
  }
  const cpu = limits.cpuMillicores;
  if (cpu !== undefined && (!Number.isSafeInteger(cpu) || cpu < MIN_CPU_MILLICORES)) {
    throw new Error(
      `'cpuMillicores' must be a whole number of at least ${MIN_CPU_MILLICORES} (got ${cpu})`,
    );
  }
}

/** Why a cgroup version could not be used; `found` when its hierarchy exists. */
interface Unavailable {
  readonly found: boolean;
  readonly reason: string;
}

function isUnavailable(attempt: CompartmentLimits | Unavailable): attempt is Unavailable {
  return 'reason' in attempt;
}

/** The names of the memory files of one cgroup version. */
interface MemoryFiles {
  readonly version: string;
  readonly usage: string;
  readonly peak: string;
  readonly events: string;
}

const V1_FILES: MemoryFiles = {
  version: 'cgroup v1',
  usage: 'memory.usage_in_bytes',
  peak: 'memory.max_usage_in_bytes',
  events: 'memory.oom_control',
};

const V2_FILES: MemoryFiles = {
  version: 'cgroup v2',
  usage: 'memory.current',
  peak: 'memory.peak',
  events: 'memory.events',
};

function createV2Group(
  group: string,
  limits: CompartmentLimitsProps,
  roots: Required<CgroupRoots>,
): CompartmentLimits | Unavailable {
  const root = roots.unified.find((dir) => controllersOf(dir).includes('memory'));
  if (root === undefined) {
    const looked = roots.unified.join(', ');
    return { found: false, reason: `no cgroup v2 hierarchy offers memory (looked in ${looked})` };
  }
  const memoryProblem = enableController(root, 'memory');
  if (memoryProblem) return { found: true, reason: memoryProblem };
  const dir = join(root, group);
  const mkdirProblem = makeGroup(root, dir);
  if (mkdirProblem) return { found: true, reason: mkdirProblem };
  try {
    writeFileSync(join(dir, 'memory.max'), `${limits.memoryBytes}\n`);
  } catch (err) {
    rmdirQuietly(dir);
    return { found: true, reason: `cannot set ${join(dir, 'memory.max')} (${codeOf(err)})` };
  }
  const notes = [limitV2Swap(dir), limitV2Cpu(root, dir, limits.cpuMillicores)];
  const limitBytes = parseBytes(readFileSync(join(dir, 'memory.max'), 'utf8'), 'memory.max');
  return new KernelLimits(V2_FILES, limitBytes, [dir], notes);
}

/** The controllers a v2 cgroup offers its children; none when it is not a v2 cgroup. */
function controllersOf(dir: string): string[] {
  const text = readOptional(join(dir, 'cgroup.controllers'));
  return text === undefined ? [] : text.split(/\s+/).filter(Boolean);
}

/** Enables `controller` for the children of v2 cgroup `root`; returns what went wrong. */
function enableController(root: string, controller: string): string | undefined {
  const file = join(root, 'cgroup.subtree_control');
  if ((readOptional(file) ?? '').split(/\s+/).includes(controller)) return undefined;
  try {
    writeFileSync(file, `+${controller}\n`);
    return undefined;
  } catch (err) {
    return `cannot enable ${controller} in ${file} (${codeOf(err)})`;
  }
}

/** Keeps swap from dodging the limit; returns a note when it cannot. */
function limitV2Swap(dir: string): string | undefined {
  try {
    writeFileSync(join(dir, 'memory.swap.max'), '0\n');
    return undefined;
  } catch (err) {
    return `swap not limited: cannot set memory.swap.max (${codeOf(err)})`;
  }
}

function limitV2Cpu(root: string, dir: string, millicores?: number): string | undefined {
  if (millicores === undefined) return undefined;
  if (!controllersOf(root).includes('cpu')) {
    return `cpu unavailable: ${join(root, 'cgroup.controllers')} does not list cpu`;
  }
  const problem = enableController(root, 'cpu');
  if (problem) return `cpu unavailable: ${problem}`;
  try {
    writeFileSync(join(dir, 'cpu.max'), `${cpuQuotaUs(millicores)} ${CPU_PERIOD_US}\n`);
    return undefined;
  } catch (err) {
    return `cpu unavailable: cannot set ${join(dir, 'cpu.max')} (${codeOf(err)})`;
  }
}

/** The CFS quota per `CPU_PERIOD_US` for `millicores`, in microseconds. */
export function cpuQuotaUs(millicores: number): number {
  return Math.round((millicores * CPU_PERIOD_US) / 1000);
}

function createV1Group(
  group: string,
  limits: CompartmentLimitsProps,
  roots: Required<CgroupRoots>,
): CompartmentLimits | Unavailable {
  const root = roots.memory;
  if (!existsSync(join(root, 'memory.limit_in_bytes'))) {
    return { found: false, reason: `no cgroup v1 memory controller at ${root}` };
  }
  const dir = join(root, group);
  const mkdirProblem = makeGroup(root, dir);
  if (mkdirProblem) return { found: true, reason: mkdirProblem };
  const limitFile = join(dir, 'memory.limit_in_bytes');
  try {
    writeFileSync(limitFile, `${limits.memoryBytes}\n`);
  } catch (err) {
    rmdirQuietly(dir);
    return { found: true, reason: `cannot set ${limitFile} (${codeOf(err)})` };
  }
  const limitBytes = parseBytes(readFileSync(limitFile, 'utf8'), 'memory.limit_in_bytes');
  const swapNote = limitV1Swap(root, dir, limitBytes);
  const cpu = createV1CpuGroup(group, roots.cpu, limits.cpuMillicores);
  const dirs = cpu.dir === undefined ? [dir] : [dir, cpu.dir];
  return new KernelLimits(V1_FILES, limitBytes, dirs, [swapNote, cpu.note]);
}

/** Caps memory plus swap at the memory limit; returns a note when the kernel cannot. */
function limitV1Swap(root: string, dir: string, limitBytes: number): string | undefined {
  if (!existsSync(join(root, 'memory.memsw.limit_in_bytes'))) {
    return `swap not limited: no memory.memsw.limit_in_bytes in ${root}`;
  }
  try {
    writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), `${limitBytes}\n`);
    return undefined;
  } catch (err) {
    return `swap not limited: cannot set memory.memsw.limit_in_bytes (${codeOf(err)})`;
  }
}

/** The v1 cpu group with the quota set, or why there is none. */
function createV1CpuGroup(
  group: string,
  root: string,
  millicores?: number,
): { dir?: string; note?: string } {
  if (millicores === undefined) return {};
  if (!existsSync(join(root, 'cpu.cfs_quota_us'))) {
    return { note: `cpu unavailable: no cgroup v1 cpu controller at ${root}` };
  }
  const dir = join(root, group);
  const problem = makeGroup(root, dir);
  if (problem) return { note: `cpu unavailable: ${problem}` };
  try {
    writeFileSync(join(dir, 'cpu.cfs_period_us'), `${CPU_PERIOD_US}\n`);
    writeFileSync(join(dir, 'cpu.cfs_quota_us'), `${cpuQuotaUs(millicores)}\n`);
    return { dir };
  } catch (err) {
    rmdirQuietly(dir);
    return {
      note: `cpu unavailable: cannot set ${join(dir, 'cpu.cfs_quota_us')} (${codeOf(err)})`,
    };
  }
}

/** Makes the group's directory; returns what went wrong. */
function makeGroup(root: string, dir: string): string | undefined {
  try {
    mkdirSync(dir);
    return undefined;
  } catch (err) {
    const code = codeOf(err);
    if (['EACCES', 'EPERM', 'EROFS'].includes(code)) return `${root} is not writable (${code})`;
    return `cannot create ${dir} (${code})`;
  }
}

/** A group the kernel limits, v1 or v2. */
class KernelLimits implements CompartmentLimits {
  readonly mechanism: string;
  readonly procsFiles: readonly string[];
  private highestReading = 0;

  constructor(
    private readonly files: MemoryFiles,
    readonly memoryLimitBytes: number,
    readonly directories: readonly string[],
    notes: ReadonlyArray<string | undefined>,
  ) {
    const stated = notes.filter((note): note is string => note !== undefined);
    this.mechanism = stated.length ? `${files.version} (${stated.join('; ')})` : files.version;
    this.procsFiles = directories.map((dir) => join(dir, 'cgroup.procs'));
  }

  /** The memory controller's directory; a cpu one (v1) comes after it. */
  private get memoryDir(): string {
    return this.directories[0];
  }

  add(pid: number): void {
    for (const file of this.procsFiles) writeFileSync(file, `${pid}\n`);
  }

  usageBytes(): number {
    const text = readFileSync(join(this.memoryDir, this.files.usage), 'utf8');
    const bytes = parseBytes(text, this.files.usage);
    this.highestReading = Math.max(this.highestReading, bytes);
    return bytes;
  }

  peakBytes(): number {
    const text = readOptional(join(this.memoryDir, this.files.peak));
    const kernelPeak = text === undefined ? 0 : parseBytes(text, this.files.peak);
    return Math.max(kernelPeak, this.highestReading);
  }

  oomKills(): number | undefined {
    const text = readFileSync(join(this.memoryDir, this.files.events), 'utf8');
    return parseKeyed(text, 'oom_kill', this.files.events);
  }

  async remove(): Promise<void> {
    for (const dir of this.directories) await removeGroup(dir);
  }
}

/** Kills what is left in `dir`, then removes it, retrying while it is busy. */
async function removeGroup(dir: string): Promise<void> {
  const deadline = Date.now() + REMOVE_WAIT_MS;
  for (;;) {
    const pids = killMembers(dir);
    try {
      rmdirSync(dir);
      return;
    } catch (err) {
      const code = codeOf(err);
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() >= deadline) {
        const members = pids.length ? `; processes ${pids.join(', ')} are still in it` : '';
        throw new Error(`cannot remove cgroup ${dir} (${code})${members}`);
      }
    }
    await sleep(REMOVE_RETRY_MS);
  }
}

/** SIGKILLs every process in group `dir`; returns their pids. */
function killMembers(dir: string): number[] {
  const text = readOptional(join(dir, 'cgroup.procs')) ?? '';
  const pids = text.split(/\s+/).filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  return pids;
}

function rmdirQuietly(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // Reported by the caller's reason; a leftover empty group limits nothing.
  }
}

/** No cgroup: nothing is limited, and memory is the processes' RSS from procfs. */
class ProcessMemory implements CompartmentLimits {
  readonly memoryLimitBytes = undefined;
  readonly directories: readonly string[] = [];
  readonly procsFiles: readonly string[] = [];
  private readonly pids = new Set<number>();
  private peak = 0;

  constructor(
    readonly mechanism: string,
    private readonly proc: string,
  ) {}

  add(pid: number): void {
    this.pids.add(pid);
  }

  usageBytes(): number {
    let total = 0;
    for (const pid of this.pids) {
      const status = readOptional(join(this.proc, String(pid), 'status'));
      if (status === undefined) {
        this.pids.delete(pid);
        continue;
      }
      total += parseStatusBytes(status, 'VmRSS');
      this.peak = Math.max(this.peak, parseStatusBytes(status, 'VmHWM'));
    }
    this.peak = Math.max(this.peak, total);
    return total;
  }

  peakBytes(): number {
    this.usageBytes();
    return this.peak;
  }

  oomKills(): number {
    return 0;
  }

  async remove(): Promise<void> {
    this.pids.clear();
  }
}

/** A byte count from a cgroup file: digits, or `max` (no limit) as Infinity. */
export function parseBytes(text: string, file: string): number {
  const value = text.trim();
  if (value === 'max') return Infinity;
  if (/^\d+$/.test(value)) return Number(value);
  throw new Error(`'${file}' must hold a whole number of bytes or 'max' (got '${value}')`);
}

/** The value of `key` in a flat keyed file (`key value` lines), or undefined when absent. */
export function parseKeyed(text: string, key: string, file: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.split(/\s+/)[0] === key);
  if (line === undefined) return undefined;
  const value = line.trim().split(/\s+/)[1] ?? '';
  if (/^\d+$/.test(value)) return Number(value);
  throw new Error(`'${file}' must give '${key}' as a whole number (got '${line.trim()}')`);
}

/**
 * A `/proc/<pid>/status` field given in kB, in bytes; 0 when absent, as for a zombie, which
 * holds no memory.
 */
export function parseStatusBytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : 0;
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function codeOf(err: unknown): string {
  return (err as NodeJS.ErrnoException).code ?? String(err);
}
