import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../config/load';
import { withReadmeSection } from '../readme-section';
import { describeFailure, planLine, RESULT_FILES, runScenario, stopRunsOnSignals } from './cli';
import { LabRun } from './records';
import { resultsTableMarkdown } from './report';
import { README_SCENARIOS, scenarioNamed } from './scenarios';

/** Where the README's timeline pictures are kept (committed). */
export const PICTURES_DIR = 'docs/lab';

/** The command that reproduces the README's results. */
export const README_COMMAND = 'npx projen lab:readme';

/** What the README says about the machine the results come from. */
export interface MachineFacts {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly date: string;
}

/**
 * `readme` with the lab's results between its `lab` markers: the side-by-side table of
 * `runs`, the machine they ran on, each run's timeline picture and the command that
 * reproduces them.
 * @throws Error when the markers are missing
 */
export function withLabResults(readme: string, runs: readonly LabRun[], machine: MachineFacts) {
  const mechanism = runs[0]?.write.limitMechanism ?? 'none';
  const pictures = runs.map(
    (run) => `![${run.plan.scenario}: latency and status over time](${picturePath(run)})`,
  );
  const section = [
    `Measured by \`${README_COMMAND}\` on ${machine.date}: ${machine.cores} cores, ` +
      `${machine.memoryGiB} GiB, memory limit by ${mechanism}.`,
    '',
    resultsTableMarkdown(runs),
    '',
    ...pictures.flatMap((picture) => [picture, '']),
  ].join('\n');
  return withReadmeSection(readme, 'lab', section);
}

/** The committed path of a run's timeline picture. */
export function picturePath(run: LabRun): string {
  return `${PICTURES_DIR}/${run.plan.scenario}.svg`;
}

/** Runs the README's scenarios in full, then writes their pictures and the README section. */
async function main(): Promise<number> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const runs: LabRun[] = [];
    for (const name of README_SCENARIOS) {
      const scenario = scenarioNamed(name);
      const request = {
        scenario,
        settings: loadSettings(scenario.overrides),
        outDir: 'lab-results',
      };
      out(`lab: ${planLine(request)}`);
      const { run, folder } = await runScenario(request, (line) => out(`lab: ${line}`));
      mkdirSync(PICTURES_DIR, { recursive: true });
      copyFileSync(join(folder, RESULT_FILES.timeline), picturePath(run));
      runs.push(run);
    }
    const machine = {
      cores: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      date: new Date().toISOString().slice(0, 10),
    };
    writeFileSync('README.md', withLabResults(readFileSync('README.md', 'utf8'), runs, machine));
    out(`lab: README.md and ${PICTURES_DIR}/ updated`);
    return 0;
  } catch (err) {
    process.stderr.write(`lab: ${describeFailure(err)}\n`);
    return 1;
  }
}

if (require.main === module) {
  stopRunsOnSignals();
  void main().then((code) => (process.exitCode = code));
}
