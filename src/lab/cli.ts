import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SettingsError } from '../config/load';
import { findHaproxy, GatewayError } from './gateway';
import { runLab, stopActiveRuns } from './lab';
import { labHelp, LabRequest, LabUsageError, parseLabCommandLine } from './options';
import { LabRun } from './records';
import { formatReport, reportJson } from './report';
import { timelineSvg } from './timeline';

/** Where `npx projen bundle:service` writes the price service, which the lab runs. */
export const SERVICE_BUNDLE = 'build/service/main.js';

/** The files one run leaves in its results folder. */
export const RESULT_FILES = {
  report: 'report.txt',
  requests: 'requests.json',
  timeline: 'timeline.svg',
} as const;

/** A run's results: the run itself and where its files are. */
export interface LabResults {
  readonly run: LabRun;
  readonly folder: string;
}

/**
 * Runs the scenario `request` asks for and writes its report, its JSON (every request) and
 * its timeline picture into `<outDir>/<scenario>/`, replacing the files of an earlier run of
 * the same scenario.
 * @throws GatewayError when HAProxy is missing, before anything starts
 */
export async function runScenario(
  request: LabRequest,
  log: (line: string) => void,
  serviceBundle = SERVICE_BUNDLE,
): Promise<LabResults> {
  findHaproxy();
  if (!existsSync(serviceBundle)) {
    throw new LabUsageError(
      `the price service bundle '${serviceBundle}' does not exist; ` +
        "build it with 'npx projen bundle:service' (the 'lab' task does this first)",
    );
  }
  const { scenario, settings } = request;
  const workDir = mkdtempSync(join(tmpdir(), 'bulkhead-lab-'));
  try {
    const run = await runLab({
      settings,
      scenario: scenario.name,
      writeRate: scenario.writeRate,
      readRate: scenario.readRate,
      idleMs: scenario.idleMs,
      attackMs: scenario.attackMs,
      serviceBundle: resolve(serviceBundle),
      workDir,
      log,
    });
    const folder = join(request.outDir, scenario.name);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, RESULT_FILES.report), formatReport(run) + '\n');
    writeFileSync(join(folder, RESULT_FILES.requests), JSON.stringify(reportJson(run)) + '\n');
    writeFileSync(join(folder, RESULT_FILES.timeline), timelineSvg(run));
    return { run, folder };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

/** `npx projen lab -- <scenario> [options]`; resolves with the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const request = parseLabCommandLine(argv);
    if (!request) {
      out(labHelp());
      return 0;
    }
    out(`lab: ${planLine(request)}`);
    const { run, folder } = await runScenario(request, (line) => out(`lab: ${line}`));
    out('');
    out(formatReport(run));
    out('');
    out(`lab: results in ${folder}/ (${Object.values(RESULT_FILES).join(', ')})`);
    return 0;
  } catch (err) {
    process.stderr.write(`lab: ${describeFailure(err)}\n`);
    return 1;
  }
}

/** What the run will do, with the command line's rates and durations in place. */
export function planLine({ scenario, settings }: LabRequest): string {
  const { breaker, databaseDelay } = settings.priceWrite;
  const limits = breaker.enabled
    ? `breaker ${breaker.maxConnections} / ${breaker.maxPendingRequests}`
    : 'breaker off';
  return (
    `${scenario.name}: ${scenario.idleMs / 1000} s of ${scenario.readRate} reads/s, then ` +
    `${scenario.writeRate} writes/s beside them for ${scenario.attackMs / 1000} s ` +
    `(${limits}, ${databaseDelay} delay)`
  );
}

/** The one failure line: our own errors as they are, anything else with its name. */
export function describeFailure(error: unknown): string {
  if (error instanceof LabUsageError || error instanceof GatewayError) return error.message;
  if (error instanceof SettingsError) return error.message;
  if (error instanceof Error) return `unexpected failure: ${error.name}: ${error.message}`;
  return `unexpected failure: ${String(error)}`;
}

/**
 * On SIGINT or SIGTERM, stops the runs in progress before exiting (130 or 143, as a shell
 * reports a signal), so that no compartment, cgroup or HAProxy outlives the command.
 */
export function stopRunsOnSignals(): void {
  const codes = { SIGINT: 130, SIGTERM: 143 } as const;
  for (const signal of Object.keys(codes) as (keyof typeof codes)[]) {
    process.once(signal, () => {
      process.stderr.write(`lab: ${signal}: stopping the compartments and the gateway\n`);
      void stopActiveRuns().finally(() => process.exit(codes[signal]));
    });
  }
}

if (require.main === module) {
  stopRunsOnSignals();
  void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
