import { stringify } from 'yaml';
import { quoteForShell } from './runner';

/** The file the pushed image is written to unless `--values-file` says otherwise. */
export const DEFAULT_VALUES_FILE = '.image-values.yaml';

/** The Helm release name used in the printed install command. */
export const RELEASE_NAME = 'bulkhead';

/** The chart folder, relative to the repository root, used in the printed install command. */
export const CHART_PATH = './charts';

/** The pushed image, as the chart's `image` values. */
export interface ImageValues {
  /** Repository URI without the tag. */
  readonly repository: string;
  readonly tag: string;
}

/** Renders the Helm values file that points the chart's `image` at the pushed image. */
export function renderValues(image: ImageValues, valuesFile: string): string {
  const header =
    '# Written by `npx projen image:push`: the image the chart runs.\n' +
    `# Install or upgrade with: ${helmInstallCommand(valuesFile)}\n`;
  return header + stringify({ image: { repository: image.repository, tag: image.tag } });
}

/** The command that installs or upgrades the chart with the values file. */
export function helmInstallCommand(valuesFile: string): string {
  return `helm upgrade --install ${RELEASE_NAME} ${CHART_PATH} -f ${quoteForShell(valuesFile)}`;
}
