import { DryRunEcr, DryRunRunner } from '../../src/image/dry-run';

describe('DryRunEcr', () => {
  test('prints each call with its exact input and assumes a new repository and tag', async () => {
    const lines: string[] = [];
    const ecr = new DryRunEcr('eu-west-1', (line) => lines.push(line));

    expect(await ecr.findRepository('a/b')).toBeUndefined();
    expect(await ecr.createRepository('a/b')).toEqual({
      name: 'a/b',
      uri: '<account-id>.dkr.ecr.eu-west-1.amazonaws.com/a/b',
    });
    expect(await ecr.hasImageTag('a/b', 't1')).toBe(false);
    expect((await ecr.getLogin()).endpoint).toBe(
      'https://<account-id>.dkr.ecr.eu-west-1.amazonaws.com',
    );
    expect(await ecr.deleteRepository('a/b')).toBe(true);

    expect(lines).toEqual([
      '[dry run] ECR DescribeRepositories {"repositoryNames":["a/b"]} (eu-west-1)',
      "[dry run]   assuming repository 'a/b' does not exist yet",
      '[dry run] ECR CreateRepository {"repositoryName":"a/b","imageScanningConfiguration":' +
        '{"scanOnPush":true},"imageTagMutability":"IMMUTABLE","encryptionConfiguration":' +
        '{"encryptionType":"AES256"}} (eu-west-1)',
      '[dry run] ECR DescribeImages {"repositoryName":"a/b","imageIds":[{"imageTag":"t1"}]} (eu-west-1)',
      "[dry run]   assuming tag 't1' is not in the repository yet",
      '[dry run] ECR GetAuthorizationToken {} (eu-west-1)',
      '[dry run] ECR DeleteRepository {"repositoryName":"a/b","force":true} (eu-west-1)',
    ]);
  });
});

describe('DryRunRunner', () => {
  test('prints the command, says stdin is used, and never prints what it holds', async () => {
    const lines: string[] = [];
    const runner = new DryRunRunner((line) => lines.push(line));

    const result = await runner.run({
      program: 'docker',
      args: ['login', '--password-stdin', 'https://r'],
      stdin: 'hunter2',
      output: 'capture',
    });

    expect(result).toEqual({ exitCode: 0, stdout: '', stderr: '' });
    expect(lines).toEqual([
      '[dry run] $ docker login --password-stdin https://r  (input on stdin, not shown)',
    ]);
  });
});
