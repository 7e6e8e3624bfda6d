import { Docker } from './docker';
import { EcrApi, ensureRepository } from './ecr';
import { checkRepositoryName, checkTag } from './names';
import { DerivedTag } from './tag';
import { helmInstallCommand, renderValues } from './values';

/** What `image:push` builds and where it goes; every field is checked by the CLI. */
export interface PushOptions {
  /** ECR repository name, e.g. `bulkhead-pattern/price-app`. */
  readonly repository: string;

  /**
   * Image tag.
   *
   * @default - derived from the git commit of the build context (see `deriveTag`)
   */
  readonly tag?: string;

  /** Platforms to build for, e.g. `['linux/amd64', 'linux/arm64']`. */
  readonly platforms: readonly string[];

  /** The build context; docker reads `Dockerfile` in it. */
  readonly context: string;

  /** Where the Helm values file for the pushed image is written. */
  readonly valuesFile: string;
}

/** The collaborators of the push plan: real ones, dry-run ones, or test ones. */
export interface PushDeps {
  readonly ecr: EcrApi;
  readonly docker: Docker;
  readonly deriveTag: (context: string) => Promise<DerivedTag>;
  readonly writeFile: (path: string, text: string) => Promise<void>;
  readonly log: (line: string) => void;
}

/** What was pushed. */
export interface PushResult {
  /** Repository URI and tag. */
  readonly image: string;
  readonly repositoryUri: string;
  readonly tag: string;

  /** Whether the image was built now (`false` when the tag was already in the repository). */
  readonly built: boolean;
}

/**
 * Builds the price image and pushes it to ECR: check docker, ensure the repository, skip
 * the build when the tag is already there (tags are immutable), log in, build and push,
 * then write the Helm values file and print the install command. Docker is checked before
 * anything changes in AWS, so a missing docker leaves no empty repository behind.
 */
export async function pushImage(options: PushOptions, deps: PushDeps): Promise<PushResult> {
  const { ecr, docker, log } = deps;
  checkRepositoryName(options.repository);
  const tag = await resolveTag(options, deps);

  await docker.checkDaemon();
  const builder = await docker.chooseBuilder(options.platforms);

  const repository = await ensureRepository(ecr, options.repository, log);
  const image = `${repository.uri}:${tag}`;
  const built = !(await ecr.hasImageTag(repository.name, tag));
  if (built) {
    await docker.login(await ecr.getLogin());
    await docker.buildAndPush(
      { image, platforms: options.platforms, context: options.context },
      builder,
    );
  } else {
    log(`${image} is already in the repository (tags are immutable): not building it again`);
  }

  log(`writing Helm values to ${options.valuesFile}`);
  await deps.writeFile(
    options.valuesFile,
    renderValues({ repository: repository.uri, tag }, options.valuesFile),
  );
  log(`image: ${image}`);
  log(`install: ${helmInstallCommand(options.valuesFile)}`);
  return { image, repositoryUri: repository.uri, tag, built };
}

async function resolveTag(options: PushOptions, deps: PushDeps): Promise<string> {
  if (options.tag !== undefined) {
    deps.log(`tag: ${checkTag(options.tag)} (from --tag)`);
    return options.tag;
  }
  const derived = await deps.deriveTag(options.context);
  deps.log(`tag: ${derived.tag} (${derived.reason})`);
  return derived.tag;
}
