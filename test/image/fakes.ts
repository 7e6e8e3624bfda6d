import { EcrApi, RegistryLogin, Repository } from '../../src/image/ecr';
import { Command, CommandResult, CommandRunner } from '../../src/image/runner';

/** Decides how a recorded command ends: a partial result, or an error to reject with. */
export type Responder = (command: Command) => Partial<CommandResult> | Error | undefined;

/** A `CommandRunner` that records every command and answers through `respond`. */
export class RecordingRunner implements CommandRunner {
  public readonly commands: Command[] = [];

  public constructor(private readonly respond: Responder = () => undefined) {}

  public async run(command: Command): Promise<CommandResult> {
    this.commands.push(command);
    const answer = this.respond(command);
    if (answer instanceof Error) throw answer;
    return { exitCode: 0, stdout: '', stderr: '', ...answer };
  }

  /** Each recorded command as an argv: program first. */
  public argv(): string[][] {
    return this.commands.map((command) => [command.program, ...command.args]);
  }
}

/** Whether a command's argv starts with the given words. */
export function startsWith(command: Command, ...words: string[]): boolean {
  const argv = [command.program, ...command.args];
  return words.every((word, index) => argv[index] === word);
}

/** The state a `FakeEcr` starts from. */
export interface FakeEcrState {
  readonly repositories?: string[];
  readonly tags?: string[];
  readonly login?: RegistryLogin;
}

/** An in-memory `EcrApi` that records the name of each call it receives. */
export class FakeEcr implements EcrApi {
  public readonly region = 'eu-west-1';
  public readonly calls: string[] = [];
  private readonly repositories: Set<string>;
  private readonly tags: Set<string>;

  public constructor(private readonly state: FakeEcrState = {}) {
    this.repositories = new Set(state.repositories ?? []);
    this.tags = new Set(state.tags ?? []);
  }

  public async findRepository(name: string): Promise<Repository | undefined> {
    this.calls.push('DescribeRepositories');
    return this.repositories.has(name) ? this.repository(name) : undefined;
  }

  public async createRepository(name: string): Promise<Repository> {
    this.calls.push('CreateRepository');
    this.repositories.add(name);
    return this.repository(name);
  }

  public async hasImageTag(_name: string, tag: string): Promise<boolean> {
    this.calls.push('DescribeImages');
    return this.tags.has(tag);
  }

  public async getLogin(): Promise<RegistryLogin> {
    this.calls.push('GetAuthorizationToken');
    return (
      this.state.login ?? {
        endpoint: 'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com',
        username: 'AWS',
        password: 'fake-password',
      }
    );
  }

  public async deleteRepository(name: string): Promise<boolean> {
    this.calls.push('DeleteRepository');
    return this.repositories.delete(name);
  }

  private repository(name: string): Repository {
    return { name, uri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/${name}` };
  }
}

/** The error a promise rejects with; fails the test when it resolves instead. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
