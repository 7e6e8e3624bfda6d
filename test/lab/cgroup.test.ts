import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import {
  CgroupRoots,
  cpuQuotaUs,
  createCompartmentLimits,
  parseBytes,
  parseKeyed,
  parseStatusBytes,
  removeStaleGroups,
} from '../../src/lab/cgroup';
import { kernelTest, MiB } from './support/kernel';

/** A temporary folder holding fake mounts; each test makes its own and removes it. */
function fakeMounts(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'bulkhead-cgroup-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `files` (name → content) into `dir`, making it first. */
function writeFiles(dir: string, files: Record<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
}

/**
 * A v1 layout like this machine's: a cgroup2 mount without the memory controller, a memory
 * mount with memsw files (unless `memsw` is false), and a cpu mount (unless `cpu` is false).
 */
function fakeV1(root: string, options: { memsw?: boolean; cpu?: boolean } = {}): CgroupRoots {
  writeFiles(join(root, 'unified'), { 'cgroup.controllers': 'hugetlb\n' });
  const memsw: Record<string, string> =
    options.memsw === false ? {} : { 'memory.memsw.limit_in_bytes': '' };
  writeFiles(join(root, 'memory'), { 'memory.limit_in_bytes': '', ...memsw });
  if (options.cpu !== false) writeFiles(join(root, 'cpu'), { 'cpu.cfs_quota_us': '-1\n' });
  return {
    unified: [join(root, 'unified')],
    memory: join(root, 'memory'),
    cpu: join(root, 'cpu'),
    proc: join(root, 'proc'),
  };
}

/** A v2 layout: one cgroup2 mount offering `controllers`, with `subtree` enabled. */
function fakeV2(root: string, controllers: string, subtree: string): CgroupRoots {
  writeFiles(join(root, 'unified'), {
    'cgroup.controllers': `${controllers}\n`,
    'cgroup.subtree_control': `${subtree}\n`,
  });
  return {
    unified: [join(root, 'missing'), join(root, 'unified')],
    memory: join(root, 'memory'),
    cpu: join(root, 'cpu'),
    proc: join(root, 'proc'),
  };
}

/** The kernel drops a group's control files with its directory; a fake tree must do it first. */
function dropControlFiles(dir: string): void {
  for (const name of readdirSync(dir)) unlinkSync(join(dir, name));
}

function read(file: string): string {
  return readFileSync(file, 'utf8');
}

const GROUP = new RegExp(`^bulkhead-lab-${process.pid}-\\d+-write$`);

describe('createCompartmentLimits with cgroup v1', () => {
  test('makes a v1 group with the memory limit, swap included, and the CPU quota', () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV1(mounts.dir);
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB, cpuMillicores: 500 },
        { roots },
      );
      const [memoryDir, cpuDir] = limits.directories;
      expect(limits.mechanism).toBe('cgroup v1');
      expect(limits.memoryLimitBytes).toBe(64 * MiB);
      expect(limits.directories).toHaveLength(2);
      expect(memoryDir.startsWith(join(mounts.dir, 'memory') + '/')).toBe(true);
      expect(cpuDir.startsWith(join(mounts.dir, 'cpu') + '/')).toBe(true);
      expect(memoryDir.split('/').pop()).toMatch(GROUP);
      expect(read(join(memoryDir, 'memory.limit_in_bytes'))).toBe('67108864\n');
      expect(read(join(memoryDir, 'memory.memsw.limit_in_bytes'))).toBe('67108864\n');
      expect(read(join(cpuDir, 'cpu.cfs_period_us'))).toBe('100000\n');
      expect(read(join(cpuDir, 'cpu.cfs_quota_us'))).toBe('50000\n');
      expect(limits.procsFiles).toEqual([
        join(memoryDir, 'cgroup.procs'),
        join(cpuDir, 'cgroup.procs'),
      ]);
    } finally {
      mounts.cleanup();
    }
  });

  test('names two groups for the same compartment apart', () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV1(mounts.dir);
      const first = createCompartmentLimits('write', { memoryBytes: MiB }, { roots });
      const second = createCompartmentLimits('write', { memoryBytes: MiB }, { roots });
      expect(second.mechanism).toBe('cgroup v1');
      expect(second.directories[0]).not.toBe(first.directories[0]);
    } finally {
      mounts.cleanup();
    }
  });

  test('keeps the memory limit and says why when there is no v1 cpu controller', () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV1(mounts.dir, { cpu: false });
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB, cpuMillicores: 500 },
        { roots },
      );
      expect(limits.mechanism).toBe(
        `cgroup v1 (cpu unavailable: no cgroup v1 cpu controller at ${mounts.dir}/cpu)`,
      );
      expect(limits.memoryLimitBytes).toBe(64 * MiB);
      expect(limits.directories).toHaveLength(1);
    } finally {
      mounts.cleanup();
    }
  });

  test('says that swap is not limited when the kernel has no memsw files', () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV1(mounts.dir, { memsw: false });
      const limits = createCompartmentLimits('write', { memoryBytes: 64 * MiB }, { roots });
      expect(limits.mechanism).toBe(
        `cgroup v1 (swap not limited: no memory.memsw.limit_in_bytes in ${mounts.dir}/memory)`,
      );
      expect(existsSync(join(limits.directories[0], 'memory.memsw.limit_in_bytes'))).toBe(false);
    } finally {
      mounts.cleanup();
    }
  });

  test('reads usage, peak and OOM kills from the v1 files', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: fakeV1(mounts.dir) },
      );
      writeFiles(limits.directories[0], {
        'memory.usage_in_bytes': '1048576\n',
        'memory.max_usage_in_bytes': '5242880\n',
        'memory.oom_control': 'oom_kill_disable 0\nunder_oom 0\noom_kill 3\n',
      });
      expect(limits.usageBytes()).toBe(MiB);
      expect(limits.peakBytes()).toBe(5 * MiB);
      expect(limits.oomKills()).toBe(3);
    } finally {
      mounts.cleanup();
    }
  });

  test('reports no OOM count when memory.oom_control has no oom_kill line', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: fakeV1(mounts.dir) },
      );
      writeFiles(limits.directories[0], { 'memory.oom_control': 'oom_kill_disable 0\n' });
      expect(limits.oomKills()).toBeUndefined();
    } finally {
      mounts.cleanup();
    }
  });

  test('adds a process by writing its pid into every hierarchy', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB, cpuMillicores: 250 },
        { roots: fakeV1(mounts.dir) },
      );
      limits.add(4242);
      expect(limits.procsFiles.map(read)).toEqual(['4242\n', '4242\n']);
    } finally {
      mounts.cleanup();
    }
  });

  test('removes its directories, and does nothing when asked again', async () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB, cpuMillicores: 250 },
        { roots: fakeV1(mounts.dir) },
      );
      limits.directories.forEach(dropControlFiles);
      await limits.remove();
      expect(limits.directories.filter((dir) => existsSync(dir))).toEqual([]);
      await expect(limits.remove()).resolves.toBeUndefined();
    } finally {
      mounts.cleanup();
    }
  });

  test('rejects removal naming the group when its directory cannot go', async () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: fakeV1(mounts.dir) },
      );
      await expect(limits.remove()).rejects.toThrow(
        new Error(`cannot remove cgroup ${limits.directories[0]} (ENOTEMPTY)`),
      );
    } finally {
      mounts.cleanup();
    }
  });
});

describe('createCompartmentLimits with cgroup v2', () => {
  test('makes a v2 group with memory.max, no swap and cpu.max, enabling cpu for children', () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV2(mounts.dir, 'cpuset cpu io memory pids', 'memory');
      writeFiles(join(mounts.dir, 'memory'), { 'memory.limit_in_bytes': '' });
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB, cpuMillicores: 1500 },
        { roots },
      );
      const [dir] = limits.directories;
      expect(limits.mechanism).toBe('cgroup v2');
      expect(limits.memoryLimitBytes).toBe(64 * MiB);
      expect(limits.directories).toEqual([join(mounts.dir, 'unified', dir.split('/').pop()!)]);
      expect(dir.split('/').pop()).toMatch(GROUP);
      expect(read(join(dir, 'memory.max'))).toBe('67108864\n');
      expect(read(join(dir, 'memory.swap.max'))).toBe('0\n');
      expect(read(join(dir, 'cpu.max'))).toBe('150000 100000\n');
      expect(read(join(mounts.dir, 'unified', 'cgroup.subtree_control'))).toBe('+cpu\n');
      expect(limits.procsFiles).toEqual([join(dir, 'cgroup.procs')]);
    } finally {
      mounts.cleanup();
    }
  });

  test('enables memory for children when the root has not', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: fakeV2(mounts.dir, 'memory', '') },
      );
      expect(limits.mechanism).toBe('cgroup v2');
      expect(read(join(mounts.dir, 'unified', 'cgroup.subtree_control'))).toBe('+memory\n');
    } finally {
      mounts.cleanup();
    }
  });

  test('keeps the memory limit and says why when the v2 root offers no cpu controller', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB, cpuMillicores: 500 },
        { roots: fakeV2(mounts.dir, 'memory pids', 'memory') },
      );
      expect(limits.mechanism).toBe(
        `cgroup v2 (cpu unavailable: ${mounts.dir}/unified/cgroup.controllers does not list cpu)`,
      );
      expect(existsSync(join(limits.directories[0], 'cpu.max'))).toBe(false);
    } finally {
      mounts.cleanup();
    }
  });

  test('reads usage, peak and OOM kills from the v2 files', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: fakeV2(mounts.dir, 'memory', 'memory') },
      );
      writeFiles(limits.directories[0], {
        'memory.current': '2097152\n',
        'memory.peak': '6291456\n',
        'memory.events': 'low 0\nhigh 0\nmax 12\noom 1\noom_kill 1\noom_group_kill 0\n',
      });
      expect(limits.usageBytes()).toBe(2 * MiB);
      expect(limits.peakBytes()).toBe(6 * MiB);
      expect(limits.oomKills()).toBe(1);
    } finally {
      mounts.cleanup();
    }
  });

  test('takes the highest usage reading as the peak when the kernel keeps no memory.peak', () => {
    const mounts = fakeMounts();
    try {
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: fakeV2(mounts.dir, 'memory', 'memory') },
      );
      const current = join(limits.directories[0], 'memory.current');
      for (const bytes of [3 * MiB, 7 * MiB, 4 * MiB]) {
        writeFileSync(current, `${bytes}\n`);
        limits.usageBytes();
      }
      expect(limits.peakBytes()).toBe(7 * MiB);
    } finally {
      mounts.cleanup();
    }
  });
});

describe('createCompartmentLimits without a cgroup', () => {
  test('says that no hierarchy offers a memory controller, and where it looked', () => {
    const mounts = fakeMounts();
    try {
      const roots = { unified: [join(mounts.dir, 'a'), join(mounts.dir, 'b')] };
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: { ...roots, memory: join(mounts.dir, 'memory') } },
      );
      expect(limits.mechanism).toBe(
        `none: no cgroup v2 hierarchy offers memory (looked in ${mounts.dir}/a, ` +
          `${mounts.dir}/b); no cgroup v1 memory controller at ${mounts.dir}/memory`,
      );
      expect(limits.memoryLimitBytes).toBeUndefined();
      expect(limits.directories).toEqual([]);
      expect(limits.procsFiles).toEqual([]);
      expect(limits.oomKills()).toBe(0);
    } finally {
      mounts.cleanup();
    }
  });

  test('says that the hierarchies are not writable when it runs unprivileged', () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV2(mounts.dir, 'memory', '');
      writeFiles(join(mounts.dir, 'memory'), { 'memory.limit_in_bytes': '' });
      expect(mechanismUnprivileged(mounts.dir, roots)).toBe(
        `none: cannot enable memory in ${mounts.dir}/unified/cgroup.subtree_control (EACCES); ` +
          `${mounts.dir}/memory is not writable (EACCES)`,
      );
      expect(readdirSync(join(mounts.dir, 'memory'))).toEqual(['memory.limit_in_bytes']);
    } finally {
      mounts.cleanup();
    }
  });

  test('reads RSS and VmHWM from procfs, and forgets processes that are gone', () => {
    const mounts = fakeMounts();
    try {
      const proc = join(mounts.dir, 'proc');
      writeFiles(join(proc, '101'), {
        status: 'Name:\tnode\nVmHWM:\t  4096 kB\nVmRSS:\t  2048 kB\n',
      });
      writeFiles(join(proc, '102'), {
        status: 'Name:\tnode\nVmHWM:\t  1024 kB\nVmRSS:\t  1024 kB\n',
      });
      const limits = createCompartmentLimits(
        'write',
        { memoryBytes: 64 * MiB },
        { roots: { unified: [], memory: join(mounts.dir, 'memory'), proc } },
      );
      limits.add(101);
      limits.add(102);
      expect(limits.usageBytes()).toBe(3 * MiB);
      rmSync(join(proc, '101'), { recursive: true });
      expect(limits.usageBytes()).toBe(MiB);
      expect(limits.peakBytes()).toBe(4 * MiB);
    } finally {
      mounts.cleanup();
    }
  });
});

/**
 * The mechanism createCompartmentLimits reports for `roots` when run by an unprivileged user:
 * in a child process as nobody when the tests run as root, in-process otherwise.
 */
function mechanismUnprivileged(dir: string, roots: CgroupRoots): string {
  if (process.getuid?.() !== 0) {
    return createCompartmentLimits('write', { memoryBytes: 64 * MiB }, { roots }).mechanism;
  }
  const bundle = join(dir, 'cgroup.js');
  buildSync({
    entryPoints: [join(__dirname, '..', '..', 'src', 'lab', 'cgroup.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: bundle,
    logLevel: 'silent',
  });
  chmodSync(dir, 0o755);
  const script =
    `const { createCompartmentLimits } = require(${JSON.stringify(bundle)});` +
    `const roots = ${JSON.stringify(roots)};` +
    `const limits = createCompartmentLimits('write', { memoryBytes: ${64 * MiB} }, { roots });` +
    'process.stdout.write(limits.mechanism);';
  const run = spawnSync(process.execPath, ['-e', script], { uid: 65534, gid: 65534 });
  if (run.status !== 0) throw new Error(`unprivileged run failed: ${run.stderr}`);
  return run.stdout.toString();
}

describe('removeStaleGroups', () => {
  test('removes the groups of runs whose process is gone, and only those', async () => {
    const mounts = fakeMounts();
    try {
      const roots = fakeV1(mounts.dir);
      const gone = 999_999_999;
      const stale = [
        join(mounts.dir, 'memory', `bulkhead-lab-${gone}-1-write`),
        join(mounts.dir, 'cpu', `bulkhead-lab-${gone}-1-write`),
      ];
      const kept = [
        join(mounts.dir, 'memory', `bulkhead-lab-${process.pid}-1-write`),
        join(mounts.dir, 'memory', 'other-tool-999999999'),
      ];
      for (const dir of [...stale, ...kept]) mkdirSync(dir);
      expect(await removeStaleGroups({ roots })).toEqual(stale);
      expect([...stale, ...kept].filter((dir) => existsSync(dir))).toEqual(kept);
    } finally {
      mounts.cleanup();
    }
  });
});

describe('createCompartmentLimits on this machine', () => {
  const kernel = kernelTest();

  kernel.run(`kills a process over its limit and counts the kill${kernel.because}`, async () => {
    const limits = createCompartmentLimits('oom', { memoryBytes: 64 * MiB });
    try {
      const child = spawn(process.execPath, ['-e', GROW_ON_INPUT], {
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      const exited = new Promise((resolve) =>
        child.once('exit', (_code, signal) => resolve(signal)),
      );
      limits.add(child.pid!);
      child.stdin!.end('grow\n');
      expect(await exited).toBe('SIGKILL');
      expect(limits.mechanism).toMatch(/^cgroup v[12]$/);
      expect(limits.oomKills()).toBe(1);
      expect(limits.peakBytes()).toBeGreaterThan(0.9 * 64 * MiB);
      expect(limits.peakBytes()).toBeLessThanOrEqual(64 * MiB);
      expect(limits.usageBytes()).toBeLessThan(16 * MiB);
    } finally {
      await limits.remove();
    }
    expect(limits.directories.filter((dir) => existsSync(dir))).toEqual([]);
  });

  kernel.run(`reports the limit as the kernel rounded it to pages${kernel.because}`, async () => {
    const limits = createCompartmentLimits('rounded', { memoryBytes: 64 * MiB + 1 });
    try {
      expect(limits.memoryLimitBytes).toBe(64 * MiB);
    } finally {
      await limits.remove();
    }
  });

  kernel.run(`kills what is left in the group when removed${kernel.because}`, async () => {
    const limits = createCompartmentLimits('leftover', { memoryBytes: 64 * MiB });
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    try {
      limits.add(child.pid!);
      expect(read(limits.procsFiles[0]).trim()).toBe(String(child.pid));
      await limits.remove();
      expect(await within(exited, 2_000)).toBe('SIGKILL');
      expect(limits.directories.filter((dir) => existsSync(dir))).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      await limits.remove().catch(() => undefined);
    }
  });
});

/** What `promise` resolves to, or 'still waiting' after `ms`. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still waiting'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'still waiting'>((resolve) => {
    timer = setTimeout(() => resolve('still waiting'), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits for a line on stdin, then allocates and touches 8 MiB every 10 ms. */
const GROW_ON_INPUT =
  "const held = []; process.stdin.once('data', () => " +
  'setInterval(() => held.push(Buffer.alloc(8 * 2 ** 20, 1)), 10));';

describe('parseBytes', () => {
  test('reads digits around whitespace, and max as no limit', () => {
    expect(parseBytes(' 4096\n', 'memory.current')).toBe(4096);
    expect(parseBytes('max\n', 'memory.max')).toBe(Infinity);
  });

  test('rejects anything else naming the file', () => {
    expect(() => parseBytes('12k\n', 'memory.current')).toThrow(
      new Error("'memory.current' must hold a whole number of bytes or 'max' (got '12k')"),
    );
  });
});

describe('parseKeyed', () => {
  test('finds the key as a whole word only', () => {
    const events = 'oom 2\noom_kill 1\noom_group_kill 5\n';
    expect(parseKeyed(events, 'oom_kill', 'memory.events')).toBe(1);
    expect(parseKeyed(events, 'oom', 'memory.events')).toBe(2);
    expect(parseKeyed(events, 'max', 'memory.events')).toBeUndefined();
  });

  test('rejects a value that is not a whole number, quoting the line', () => {
    expect(() => parseKeyed('oom_kill x\n', 'oom_kill', 'memory.oom_control')).toThrow(
      new Error("'memory.oom_control' must give 'oom_kill' as a whole number (got 'oom_kill x')"),
    );
  });
});

describe('parseStatusBytes', () => {
  test('reads a kB field in bytes, and 0 when the field is absent', () => {
    const status = 'Name:\tnode\nVmHWM:\t   51200 kB\nVmRSS:\t   40960 kB\n';
    expect(parseStatusBytes(status, 'VmRSS')).toBe(40 * MiB);
    expect(parseStatusBytes(status, 'VmHWM')).toBe(50 * MiB);
    expect(parseStatusBytes('Name:\tnode\nState:\tZ (zombie)\n', 'VmRSS')).toBe(0);
  });
});

describe('cpuQuotaUs', () => {
  test('renders millicores as microseconds per 100 ms period', () => {
    expect(cpuQuotaUs(10)).toBe(1_000);
    expect(cpuQuotaUs(500)).toBe(50_000);
    expect(cpuQuotaUs(2000)).toBe(200_000);
  });
});

describe('createCompartmentLimits input', () => {
  test('rejects a name that cannot be part of a directory name', () => {
    expect(() => createCompartmentLimits('../write', { memoryBytes: MiB })).toThrow(
      new Error(
        "'name' must be letters, digits, '.', '_' or '-', starting with a letter or digit " +
          "(got '../write')",
      ),
    );
  });

  test('rejects a memory limit that is not a whole number of bytes above 0', () => {
    expect(() => createCompartmentLimits('write', { memoryBytes: 0 })).toThrow(
      new Error("'memoryBytes' must be a whole number of bytes above 0 (got 0)"),
    );
    expect(() => createCompartmentLimits('write', { memoryBytes: 1.5 })).toThrow(
      new Error("'memoryBytes' must be a whole number of bytes above 0 (got 1.5)"),
    );
  });

  test('rejects a CPU limit under the smallest quota the kernel takes', () => {
    expect(() => createCompartmentLimits('write', { memoryBytes: MiB, cpuMillicores: 5 })).toThrow(
      new Error("'cpuMillicores' must be a whole number of at least 10 (got 5)"),
    );
  });
});
