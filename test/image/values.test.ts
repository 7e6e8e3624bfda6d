import { parse } from 'yaml';
import { helmInstallCommand, renderValues } from '../../src/image/values';

describe('renderValues', () => {
  test("sets the chart's image.repository and image.tag", () => {
    const repository = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/bulkhead-pattern/price-app';

    const text = renderValues({ repository, tag: '1a2b3c4d5e6f' }, '.image-values.yaml');

    expect(parse(text)).toEqual({ image: { repository, tag: '1a2b3c4d5e6f' } });
    expect(text.split('\n').slice(0, 2)).toEqual([
      '# Written by `npx projen image:push`: the image the chart runs.',
      '# Install or upgrade with: helm upgrade --install bulkhead ./charts -f .image-values.yaml',
    ]);
  });

  test('keeps a tag that looks like a number a string', () => {
    const text = renderValues({ repository: 'r', tag: '123456789012' }, 'v.yaml');

    expect(parse(text).image.tag).toBe('123456789012');
  });
});

describe('helmInstallCommand', () => {
  test('installs or upgrades the bulkhead release from ./charts with the file', () => {
    expect(helmInstallCommand('out/values.yaml')).toBe(
      'helm upgrade --install bulkhead ./charts -f out/values.yaml',
    );
  });

  test('quotes a path the shell would split', () => {
    expect(helmInstallCommand('my values.yaml')).toBe(
      "helm upgrade --install bulkhead ./charts -f 'my values.yaml'",
    );
  });
});
