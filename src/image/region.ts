import { ECRClient } from '@aws-sdk/client-ecr';
import { ImageError } from './errors';
import { checkRegion } from './names';

/** Asks the SDK's own loader for the region (`AWS_REGION`, then the profile's `region`). */
export type RegionLoader = () => Promise<string | undefined>;

/** The SDK's region loader: what an ECR client would use without an explicit region. */
export const loadSdkRegion: RegionLoader = async () => {
  try {
    return await new ECRClient({}).config.region();
  } catch {
    // The loader throws "Region is missing" when no source has one.
    return undefined;
  }
};

/**
 * The region for the ECR calls: `--region`, else `AWS_REGION`, else `AWS_DEFAULT_REGION`
 * (the AWS CLI's variable, which the SDK does not read), else the profile's `region`.
 */
export async function resolveRegion(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  load: RegionLoader = loadSdkRegion,
): Promise<string> {
  if (flag !== undefined) return checkRegion(flag, "'--region'");
  if (env.AWS_REGION) return checkRegion(env.AWS_REGION, "'AWS_REGION'");
  if (env.AWS_DEFAULT_REGION) return checkRegion(env.AWS_DEFAULT_REGION, "'AWS_DEFAULT_REGION'");
  const loaded = await load();
  if (loaded) return checkRegion(loaded, `the region of profile '${env.AWS_PROFILE ?? 'default'}'`);
  throw new ImageError(
    `no AWS region given: pass '--region eu-west-1', set AWS_REGION, or set 'region' in ` +
      `the AWS profile (${env.AWS_PROFILE ?? 'default'})`,
  );
}
