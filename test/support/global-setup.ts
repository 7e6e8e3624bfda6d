import { ensureHelm, HELM_VERSIONS, HelmName } from './helm';

/** Runs once before all test files: extracts the pinned helm binaries into .cache/. */
export default function globalSetup(): void {
  for (const name of Object.keys(HELM_VERSIONS) as HelmName[]) ensureHelm(name);
}
