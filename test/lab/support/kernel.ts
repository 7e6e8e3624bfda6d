import { rmdirSync } from 'node:fs';
import { createCompartmentLimits } from '../../../src/lab/cgroup';

export const MiB = 2 ** 20;

/**
 * Why tests that need a real kernel memory limit cannot run here, or undefined when they can:
 * makes (and at once removes) an empty group with the standard mounts.
 */
export function kernelLimitUnavailable(): string | undefined {
  const limits = createCompartmentLimits('probe', { memoryBytes: 64 * MiB });
  for (const dir of limits.directories) rmdirSync(dir);
  return limits.mechanism.startsWith('none') ? limits.mechanism : undefined;
}

/** `test` when a real kernel memory limit can be made, else `test.skip`. */
export function kernelTest(): { run: jest.It; because: string } {
  const reason = kernelLimitUnavailable();
  return reason === undefined
    ? { run: test, because: '' }
    : { run: test.skip, because: ` (skipped: no kernel memory limit here, ${reason})` };
}

/** Resolves once `condition` holds; rejects naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
