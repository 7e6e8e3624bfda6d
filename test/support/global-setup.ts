import { ensureHaproxy } from './haproxy';
import { ensureHelm, HELM_VERSIONS, HelmName } from './helm';

/**
 * Runs once before all test files: extracts the pinned helm binaries into .cache/, and
 * installs HAProxy for the lab where it is missing.
 */
export default function globalSetup(): void {
  for (const name of Object.keys(HELM_VERSIONS) as HelmName[]) ensureHelm(name);
  ensureHaproxy();
}
