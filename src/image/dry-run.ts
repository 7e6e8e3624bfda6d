import { EcrApi, ecrRequests, RegistryLogin, Repository } from './ecr';
import { Command, CommandResult, CommandRunner, formatCommand } from './runner';

/** Prefix of every line the dry run prints about a call or command it does not make. */
export const DRY_RUN = '[dry run]';

// Stands in for the AWS account id, which only a real call would reveal.
const ACCOUNT = '<account-id>';

/**
 * Prints each ECR call with its exact input instead of making it, and answers as if the
 * repository and the image were new, so the plan goes through every call it could make.
 */
export class DryRunEcr implements EcrApi {
  public constructor(
    public readonly region: string,
    private readonly print: (line: string) => void,
  ) {}

  private get registry(): string {
    return `${ACCOUNT}.dkr.ecr.${this.region}.amazonaws.com`;
  }

  public async findRepository(name: string): Promise<Repository | undefined> {
    this.call('DescribeRepositories', ecrRequests.describeRepositories(name));
    this.print(`${DRY_RUN}   assuming repository '${name}' does not exist yet`);
    return undefined;
  }

  public async createRepository(name: string): Promise<Repository> {
    this.call('CreateRepository', ecrRequests.createRepository(name));
    return { name, uri: `${this.registry}/${name}` };
  }

  public async hasImageTag(name: string, tag: string): Promise<boolean> {
    this.call('DescribeImages', ecrRequests.describeImages(name, tag));
    this.print(`${DRY_RUN}   assuming tag '${tag}' is not in the repository yet`);
    return false;
  }

  public async getLogin(): Promise<RegistryLogin> {
    this.call('GetAuthorizationToken', ecrRequests.getAuthorizationToken());
    return { endpoint: `https://${this.registry}`, username: 'AWS', password: '<token>' };
  }

  public async deleteRepository(name: string): Promise<boolean> {
    this.call('DeleteRepository', ecrRequests.deleteRepository(name));
    return true;
  }

  private call(name: string, input: object): void {
    this.print(`${DRY_RUN} ECR ${name} ${JSON.stringify(input)} (${this.region})`);
  }
}

/**
 * Prints each command instead of running it and answers that it succeeded. A command that
 * would get standard input says so; the input itself (a password) is never printed.
 */
export class DryRunRunner implements CommandRunner {
  public constructor(private readonly print: (line: string) => void) {}

  public async run(command: Command): Promise<CommandResult> {
    const stdin = command.stdin === undefined ? '' : '  (input on stdin, not shown)';
    this.print(`${DRY_RUN} $ ${formatCommand(command)}${stdin}`);
    return { exitCode: 0, stdout: '', stderr: '' };
  }
}
