import { ImageError } from '../../src/image/errors';
import { loadSdkRegion, resolveRegion } from '../../src/image/region';

const fromProfile = (region?: string) => async () => region;
const never = async (): Promise<string | undefined> => {
  throw new Error('the profile should not be read');
};

describe('resolveRegion', () => {
  test('prefers --region over the environment', async () => {
    expect(await resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' }, never)).toBe('eu-west-1');
  });

  test('uses AWS_REGION, then AWS_DEFAULT_REGION', async () => {
    const both = { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-east-1' };

    expect(await resolveRegion(undefined, both, never)).toBe('eu-central-1');
    expect(await resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-east-1' }, never)).toBe(
      'us-east-1',
    );
  });

  test("falls back to the profile's region", async () => {
    expect(await resolveRegion(undefined, {}, fromProfile('ap-south-1'))).toBe('ap-south-1');
  });

  test('rejects when no source has a region', async () => {
    await expect(resolveRegion(undefined, { AWS_PROFILE: 'dev' }, fromProfile())).rejects.toThrow(
      new ImageError(
        "no AWS region given: pass '--region eu-west-1', set AWS_REGION, or set 'region' in the " +
          'AWS profile (dev)',
      ),
    );
  });

  test('rejects a malformed region, naming where it came from', async () => {
    await expect(resolveRegion(undefined, {}, fromProfile('Ireland'))).rejects.toThrow(
      new ImageError(
        "the region of profile 'default' must be an AWS region name such as 'eu-west-1' (got 'Ireland')",
      ),
    );
  });
});

describe('loadSdkRegion', () => {
  test("reads AWS_REGION through the SDK's loader", async () => {
    const saved = process.env.AWS_REGION;
    process.env.AWS_REGION = 'sa-east-1';
    try {
      expect(await loadSdkRegion()).toBe('sa-east-1');
    } finally {
      if (saved === undefined) delete process.env.AWS_REGION;
      else process.env.AWS_REGION = saved;
    }
  });
});
