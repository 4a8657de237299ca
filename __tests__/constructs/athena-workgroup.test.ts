import { Testing } from 'cdktf';
import { AthenaNamedQuery } from '@cdktf/provider-aws/lib/athena-named-query';
import { AthenaWorkgroup } from '@cdktf/provider-aws/lib/athena-workgroup';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { queryWorkgroup, workgroupQueries, type QueryWorkgroupProps } from '../../stacks/constructs/athena-workgroup';

const PROPS: QueryWorkgroupProps = {
  name: 'ssmb-patch-history',
  description: 'Queries over the patch-compliance history',
  resultsBucketName: 'ssmb-111111111111-ap-northeast-1-patch-queries',
  resultRetentionDays: 30,
  expectedBucketOwner: '111111111111',
  bytesScannedCutoffPerQuery: 10 * 1024 ** 3,
  forceDestroy: true,
};

function synth(props: Partial<QueryWorkgroupProps> = {}): string {
  return Testing.synthScope((scope) => {
    const { workgroup } = queryWorkgroup(scope, { ...PROPS, ...props });
    workgroupQueries(scope, workgroup, 'ssmb_patch_history', [
      { id: 'missing-as-of', name: 'patch-history: missing as of', description: 'Parameters: as_of', query: 'SELECT 1' },
    ]);
  });
}

describe('queryWorkgroup and workgroupQueries', () => {
  const out = synth();
  const json = JSON.parse(out);

  it('writes results only to its own encrypted bucket, and clients cannot redirect them', () => {
    expect(out).toHaveResourceWithProperties(AthenaWorkgroup, {
      name: 'ssmb-patch-history',
      state: 'ENABLED',
      force_destroy: true,
      configuration: {
        enforce_workgroup_configuration: true,
        publish_cloudwatch_metrics_enabled: true,
        bytes_scanned_cutoff_per_query: 10737418240,
        result_configuration: {
          output_location: expect.stringMatching(/^s3:\/\/\$\{aws_s3_bucket\.results[^.]*\.bucket\}\/results\/$/),
          encryption_configuration: { encryption_option: 'SSE_S3' },
          expected_bucket_owner: '111111111111',
        },
      },
    });
    expect(out).toHaveResourceWithProperties(S3Bucket, { bucket: 'ssmb-111111111111-ap-northeast-1-patch-queries' });
  });

  it('keeps the construct ids of its callers: results, workgroup, query-<id>', () => {
    expect(Object.keys(json.resource.aws_athena_workgroup)).toEqual([expect.stringMatching(/^workgroup/)]);
    expect(Object.keys(json.resource.aws_s3_bucket)).toEqual([expect.stringMatching(/^results/)]);
    expect(Object.keys(json.resource.aws_athena_named_query)).toEqual([expect.stringMatching(/^query-missing-as-of/)]);
    expect(out).toHaveResourceWithProperties(AthenaNamedQuery, {
      database: 'ssmb_patch_history',
      workgroup: expect.stringMatching(/^\$\{aws_athena_workgroup\.workgroup[^.]*\.id\}$/),
      query: 'SELECT 1',
    });
  });

  it('keeps a workgroup that must survive destroy when asked', () => {
    expect(synth({ forceDestroy: false })).toHaveResourceWithProperties(AthenaWorkgroup, { force_destroy: false });
  });
});
