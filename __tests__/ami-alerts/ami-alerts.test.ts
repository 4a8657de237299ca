import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../stacks/platform/config/load';
import { TARGET_RETRY } from '../../stacks/constructs/event-rule';
import { MAX_EVENT_PATTERN_LENGTH, amiAlertPatterns } from '../../stacks/capabilities/ami-alerts/patterns';
import { decideCloudTrail, matchingTags } from '../../lambda/ami-alerts/match';
import { parseWatchedTags } from '../../stacks/capabilities/ami-alerts/env';
import { EventPattern, matchesPattern, rulePattern } from '../helpers/event-pattern';
import { iamSim, IamSim } from '../helpers/iam-sim';
import { StackJson, findResource, policyStatements, resourcesOf, synthStack, testConfig } from '../helpers/synth';

/** This capability's tables (the stack also holds other capabilities' tables). */
const amiTables = (stack: Parameters<typeof resourcesOf>[0]) =>
  Object.entries(resourcesOf(stack, 'aws_dynamodb_table')).filter(([id]) => id.startsWith('ami-alerts_'));

const ACCOUNT = '111111111111';
const REGION = 'ap-northeast-1';
/** One exact pair and one key watched with any value. */
const WATCHED = [{ key: 'Release', value: 'golden' }, { key: 'BackupPlan' }];

const RULE_NAMES = {
  createImage: 'ssmb-ami-alerts-create-image',
  importImage: 'ssmb-ami-alerts-import-image',
  createTags: 'ssmb-ami-alerts-create-tags',
  stateChange: 'ssmb-ami-alerts-state-change',
} as const;
type RuleKind = keyof typeof RULE_NAMES;
const ruleArn = (kind: RuleKind) => `arn:aws:events:${REGION}:${ACCOUNT}:rule/${RULE_NAMES[kind]}`;

const FIXTURES = join(__dirname, 'fixtures');
const fixture = (name: string) => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8'));

function configError(amiAlerts: unknown): string {
  try {
    testConfig({ amiAlerts } as never);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.join('\n');
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('ami-alerts config', () => {
  it('defaults to one opt-in tag pair and every path', () => {
    const cfg = testConfig().amiAlerts;
    expect(cfg).toEqual({
      enabled: true,
      tags: [{ key: 'ssm-baseline:notify', value: 'true' }],
      watch: ['createImage', 'copyImage', 'registerImage', 'createRestoreImageTask', 'importImage', 'createTags', 'available', 'failed'],
    });
  });

  it('accepts pairs, keys with any value, and a subset of paths', () => {
    expect(testConfig({ amiAlerts: { tags: WATCHED, watch: ['createTags', 'available'] } }).amiAlerts.watch).toEqual([
      'createTags',
      'available',
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['no tags while enabled', { tags: [] }, /^amiAlerts\.tags: must list at least one tag pair/m],
    [
      'a duplicate pair',
      {
        tags: [
          { key: 'A', value: '1' },
          { key: 'A', value: '1' },
        ],
      },
      /^amiAlerts\.tags\[1\]: duplicate tag pair "A"="1" \(also at amiAlerts\.tags\[0\]\)/m,
    ],
    [
      'a pair already covered by its key',
      { tags: [{ key: 'A' }, { key: 'A', value: '1' }] },
      /^amiAlerts\.tags\[1\]: "A"="1" is already covered by amiAlerts\.tags\[0\]/m,
    ],
    ['an empty key', { tags: [{ key: '' }] }, /^amiAlerts\.tags\[0\]\.key: /m],
    ['a key with characters EC2 refuses', { tags: [{ key: 'a*b' }] }, /^amiAlerts\.tags\[0\]\.key: is not a valid tag key, got "a\*b"/m],
    ['a value over 256 characters', { tags: [{ key: 'A', value: 'v'.repeat(257) }] }, /^amiAlerts\.tags\[0\]\.value: /m],
    ['an unknown field in a tag', { tags: [{ key: 'A', values: ['1'] }] }, /^amiAlerts\.tags\[0\]\.values: unknown field/m],
    [
      'no paths',
      { watch: [] },
      /^amiAlerts\.watch: must list at least one of createImage, copyImage, registerImage, createRestoreImageTask, importImage, createTags, available, failed/m,
    ],
    ['an unknown path', { watch: ['deregistered'] }, /^amiAlerts\.watch\[0\]: /m],
    ['a duplicate path', { watch: ['available', 'available'] }, /^amiAlerts\.watch\[1\]: duplicate path "available"/m],
    ['over 20 pairs', { tags: Array.from({ length: 21 }, (_, i) => ({ key: `k${i}` })) }, /^amiAlerts\.tags: at most 20 tag pairs/m],
    [
      'patterns beyond the EventBridge size limit',
      { tags: Array.from({ length: 8 }, (_, i) => ({ key: `key-${i}`, value: `${i}`.padEnd(250, 'x') })) },
      /^amiAlerts\.tags: the createImage rule's event pattern would be \d+ characters; EventBridge allows 2048/m,
    ],
  ])('rejects %s with a field path and a reason', (_, amiAlerts, message) => {
    expect(configError(amiAlerts)).toMatch(message);
  });

  it('needs no tags when disabled', () => {
    expect(testConfig({ amiAlerts: { enabled: false, tags: [] } }).amiAlerts.enabled).toBe(false);
  });

  it('accepts 20 pairs of ordinary length (every pattern stays within 2048 characters)', () => {
    const tags = Array.from({ length: 20 }, (_, i) => ({ key: `team-${i}:ami-alert`, value: 'notify' }));
    expect(testConfig({ amiAlerts: { tags } }).amiAlerts.tags).toHaveLength(20);
    for (const p of Object.values(amiAlertPatterns(tags))) expect(JSON.stringify(p).length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_LENGTH);
  });
});

describe('ami-alerts synth: rules, targets, notifier', () => {
  let stack: StackJson;
  let rules: Record<string, Record<string, any>>;
  beforeAll(() => {
    stack = synthStack(testConfig({ amiAlerts: { tags: WATCHED } }));
    rules = Object.fromEntries(
      Object.entries(resourcesOf(stack, 'aws_cloudwatch_event_rule')).filter(([, r]) => r.name.startsWith('ssmb-ami-alerts-')),
    );
  });

  it('creates one rule per kind of event on the default bus', () => {
    expect(
      Object.values(rules)
        .map((r) => r.name)
        .sort(),
    ).toEqual(Object.values(RULE_NAMES).sort());
    for (const r of Object.values(rules)) expect(r.event_bus_name).toBeUndefined();
  });

  it('targets the notifier from every rule with a day of retries and the dead-letter queue', () => {
    const [fnId] = findResource(stack, 'aws_lambda_function', (f) => f.function_name === 'ssmb-ami-notifier');
    const [dlqId] = findResource(stack, 'aws_sqs_queue', (q) => q.name === 'ssmb-dead-letters');
    for (const [ruleId] of Object.entries(rules)) {
      const [, target] = findResource(
        stack,
        'aws_cloudwatch_event_target',
        (t) => t.rule === `\${aws_cloudwatch_event_rule.${ruleId}.name}`,
      );
      expect(target.arn).toBe(`\${aws_lambda_function.${fnId}.arn}`);
      expect(target.retry_policy).toEqual({
        maximum_event_age_in_seconds: TARGET_RETRY.maximumEventAgeInSeconds,
        maximum_retry_attempts: TARGET_RETRY.maximumRetryAttempts,
      });
      expect(target.dead_letter_config).toEqual({ arn: `\${aws_sqs_queue.${dlqId}.arn}` });
      expect(target.role_arn).toBeUndefined();
      const [, permission] = findResource(
        stack,
        'aws_lambda_permission',
        (p) => p.source_arn === `\${aws_cloudwatch_event_rule.${ruleId}.arn}`,
      );
      expect(permission).toMatchObject({
        action: 'lambda:InvokeFunction',
        principal: 'events.amazonaws.com',
        function_name: `\${aws_lambda_function.${fnId}.function_name}`,
      });
    }
  });

  it('configures the notifier with the watched pairs, the topic and failure handling', () => {
    const [fnId, fn] = findResource(stack, 'aws_lambda_function', (f) => f.function_name === 'ssmb-ami-notifier');
    const env = fn.environment.variables;
    expect(JSON.parse(env.WATCHED_TAGS)).toEqual(WATCHED);
    expect(parseWatchedTags(env.WATCHED_TAGS)).toEqual(WATCHED);
    expect(env.TOPIC_ARN).toMatch(/^\$\{aws_sns_topic\.[^.]+\.arn\}$/);
    expect(env.ACCOUNT_NAME).toBe('prod');
    expect(fn.logging_config).toMatchObject({ log_format: 'JSON' });
    const [, invokeConfig] = findResource(
      stack,
      'aws_lambda_function_event_invoke_config',
      (c) => c.function_name === `\${aws_lambda_function.${fnId}.function_name}`,
    );
    expect(invokeConfig.destination_config.on_failure.destination).toMatch(/^\$\{aws_sqs_queue\.[^.]+\.arn\}$/);
  });

  it('remembers matched AMIs in an on-demand table whose items expire (TTL), under the AWS owned key', () => {
    const tables = amiTables(stack);
    expect(tables).toHaveLength(1);
    const [tableId, table] = tables[0];
    expect(table).toMatchObject({
      name: 'ssmb-ami-alerts-images',
      billing_mode: 'PAY_PER_REQUEST',
      hash_key: 'imageId',
      attribute: [{ name: 'imageId', type: 'S' }],
      ttl: { attribute_name: 'expiresAt', enabled: true },
      deletion_protection_enabled: false,
    });
    // An expendable cache of public-to-the-account facts: AWS owned key, no backups, no
    // capacity to plan (see docs/ami-alerts.md).
    expect(table.server_side_encryption).toBeUndefined();
    expect(table.point_in_time_recovery).toBeUndefined();
    expect(table.range_key).toBeUndefined();
    expect(table.global_secondary_index).toBeUndefined();
    const [, fn] = findResource(stack, 'aws_lambda_function', (f) => f.function_name === 'ssmb-ami-notifier');
    expect(fn.environment.variables.IMAGE_MEMORY_TABLE).toBe(`\${aws_dynamodb_table.${tableId}.name}`);
  });

  it.each([
    ['no state is watched', ['createImage', 'copyImage', 'registerImage', 'createRestoreImageTask', 'importImage', 'createTags']],
    ['only ImportImage (no AMI id to remember) and the states are watched', ['importImage', 'available', 'failed']],
    ['no CloudTrail path is watched', ['available', 'failed']],
  ])('creates no table, and grants no DynamoDB action, when %s', (_, watch) => {
    const only = synthStack(testConfig({ amiAlerts: { tags: WATCHED, watch: watch as never } }));
    expect(amiTables(only)).toEqual([]);
    const [, fn] = findResource(only, 'aws_lambda_function', (f) => f.function_name === 'ssmb-ami-notifier');
    expect(fn.environment.variables.IMAGE_MEMORY_TABLE).toBeUndefined();
    const [, policy] = findResource(only, 'aws_iam_role_policy', (p) => p.name === 'ami-notifier');
    expect(policyStatements(only, policy.policy).flatMap((s) => s.actions as string[])).not.toContainEqual(
      expect.stringMatching(/^dynamodb:/),
    );
  });

  it('grants the notifier DescribeImages on "*" (no resource-level permissions) and nothing else wildcard', () => {
    const [, policy] = findResource(stack, 'aws_iam_role_policy', (p) => p.name === 'ami-notifier');
    const statements = policyStatements(stack, policy.policy);
    const wildcard = statements.filter((s) => (s.resources as string[]).includes('*'));
    expect(wildcard).toEqual([expect.objectContaining({ actions: ['ec2:DescribeImages'], resources: ['*'] })]);
    expect(statements.flatMap((s) => s.actions as string[]).sort()).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'ec2:DescribeImages',
        'kms:Decrypt',
        'kms:GenerateDataKey',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'sns:Publish',
        'sqs:SendMessage',
      ].sort(),
    );
  });

  it('leaves only the state-change rule when only available is watched', () => {
    const only = synthStack(testConfig({ amiAlerts: { tags: WATCHED, watch: ['available'] } }));
    const names = Object.values(resourcesOf(only, 'aws_cloudwatch_event_rule'))
      .map((r) => r.name)
      .filter((n) => n.startsWith('ssmb-ami-alerts-'));
    expect(names).toEqual([RULE_NAMES.stateChange]);
    expect(rulePattern(only, (r) => r.name === RULE_NAMES.stateChange)).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['EC2 AMI State Change'],
      detail: { State: ['available'] },
    });
  });

  it('adds nothing when disabled', () => {
    const off = synthStack(testConfig({ amiAlerts: { enabled: false } }));
    expect(Object.values(resourcesOf(off, 'aws_lambda_function')).filter((f) => f.function_name === 'ssmb-ami-notifier')).toEqual([]);
    expect(Object.values(resourcesOf(off, 'aws_cloudwatch_event_rule')).filter((r) => r.name.startsWith('ssmb-ami-alerts-'))).toEqual([]);
  });
});

/**
 * Every sample event against the synthesized patterns (EventBridge semantics), then
 * through the notifier's decision where a pattern lets it through.
 */
describe('ami-alerts events: patterns and the exact-pair decision', () => {
  let patterns: Record<RuleKind, EventPattern>;
  beforeAll(() => {
    const stack = synthStack(testConfig({ amiAlerts: { tags: WATCHED } }));
    patterns = {
      createImage: rulePattern(stack, (r) => r.name === RULE_NAMES.createImage),
      importImage: rulePattern(stack, (r) => r.name === RULE_NAMES.importImage),
      createTags: rulePattern(stack, (r) => r.name === RULE_NAMES.createTags),
      stateChange: rulePattern(stack, (r) => r.name === RULE_NAMES.stateChange),
    };
  });

  const matchingRules = (event: unknown) => (Object.keys(RULE_NAMES) as RuleKind[]).filter((k) => matchesPattern(patterns[k], event));

  // [fixture, the rules whose pattern matches, does the CloudTrail decision notify]
  const CLOUDTRAIL: Array<[string, RuleKind[], boolean]> = [
    ['create-image-tagged', ['createImage'], true],
    ['create-image-any-value', ['createImage'], true],
    ['create-tags-ami', ['createTags'], true],
    ['create-tags-multi', ['createTags'], true],
    // must not fire: stopped by the pattern
    ['create-image-untagged', [], false],
    ['create-image-snapshot-only', [], false],
    ['create-image-other-value', [], false],
    ['create-image-failed', [], false],
    ['create-tags-snapshot-only', [], false],
    ['create-tags-other-value', [], false],
    ['create-tags-failed', [], false],
    // must not fire: EventBridge lets them through (per-field array matching), the notifier stops them
    ['create-image-crossed', ['createImage'], false],
    ['create-image-tag-on-snapshot-not-image', ['createImage'], false],
    ['create-tags-crossed', ['createTags'], false],
    // the other ways an AMI is born with its tags: same tag specification, same decision
    ['copy-image-tagged', ['createImage'], true],
    ['register-image-tagged', ['createImage'], true],
    ['copy-image-failed', [], false],
    ['register-image-failed', [], false],
    ['copy-image-crossed', ['createImage'], false],
    // CreateRestoreImageTask: the image's tag specification, like CreateImage
    ['restore-image-tagged', ['createImage'], true],
    ['restore-image-other-value', [], false],
    ['restore-image-failed', [], false],
    ['restore-image-tag-on-snapshot-not-image', ['createImage'], false],
    // the "<Action>Request" form: pre-filtered on the resource type only, the notifier decides
    ['restore-image-wrapped', ['createImage'], true],
    ['restore-image-wrapped-other-value', ['createImage'], false],
    // ImportImage: the tags are the import task's (resource type import-image-task)
    ['import-image-tagged', ['importImage'], true],
    ['import-image-wrapped', ['importImage'], true],
    ['import-image-other-value', [], false],
    ['import-image-failed', [], false],
    ['import-image-crossed', ['importImage'], false],
  ];

  it('has a case for every CloudTrail fixture', () => {
    const files = readdirSync(FIXTURES)
      .filter((f) => /^(create|copy|register|restore|import)-/.test(f))
      .map((f) => f.replace(/\.json$/, ''));
    expect(CLOUDTRAIL.map(([f]) => f).sort()).toEqual(files.sort());
  });

  it.each(CLOUDTRAIL)('%s: matched by %j, notifies: %s', (name, expectedRules, notifies) => {
    const event = fixture(name);
    expect(matchingRules(event)).toEqual(expectedRules);
    const fires = expectedRules.length > 0 && decideCloudTrail(event.detail, WATCHED).notify;
    expect(fires).toBe(notifies);
  });

  it.each([
    ['ami-available', ['stateChange']],
    ['ami-failed', ['stateChange']],
    ['ami-deregistered', []],
  ])('%s: matched by %j', (name, expectedRules) => {
    expect(matchingRules(fixture(name))).toEqual(expectedRules);
  });

  it('catches CopyImage and RegisterImage only where they are watched, with their failed calls', () => {
    const only = (watch: string[]) => amiAlertPatterns(WATCHED, watch as never).createImage as EventPattern;
    expect(matchesPattern(only(['copyImage']), fixture('copy-image-tagged'))).toBe(true);
    expect(matchesPattern(only(['copyImage']), fixture('create-image-tagged'))).toBe(false);
    expect(matchesPattern(only(['createImage']), fixture('register-image-tagged'))).toBe(false);
    expect(decideCloudTrail(fixture('copy-image-failed').detail, WATCHED)).toEqual({
      notify: false,
      reason: 'the call failed (Client.InvalidAMIName.Duplicate)',
    });
    expect(decideCloudTrail(fixture('copy-image-tagged').detail, WATCHED)).toMatchObject({
      notify: true,
      path: 'copyImage',
      imageIds: ['ami-0e5f60718293a4b5c'],
      requestedName: 'web-base-2026-03-02-apne1',
      sourceImage: 'ami-0f1e2d3c4b5a69788 (us-east-1)',
    });
    expect(decideCloudTrail(fixture('register-image-tagged').detail, WATCHED)).toMatchObject({
      notify: true,
      path: 'registerImage',
      imageIds: ['ami-0718293a4b5c6d7e8'],
      matched: [{ key: 'BackupPlan', value: 'daily-35d' }],
    });
  });

  it('reads CreateRestoreImageTask like CreateImage: the new id, the name, the stored object, in either record form', () => {
    expect(decideCloudTrail(fixture('restore-image-tagged').detail, WATCHED)).toEqual({
      notify: true,
      path: 'createRestoreImageTask',
      imageIds: ['ami-0f60718293a4b5c6d'],
      matched: [{ key: 'Release', value: 'golden' }],
      requestedName: 'web-base-2026-03-02-restored',
      sourceImage: 's3://example-ami-archive-111111111111/ami-0f1e2d3c4b5a69788.bin',
    });
    expect(decideCloudTrail(fixture('restore-image-wrapped').detail, WATCHED)).toEqual({
      notify: true,
      path: 'createRestoreImageTask',
      imageIds: ['ami-0f60718293a4b5c6d'],
      matched: [{ key: 'BackupPlan', value: 'daily-35d' }],
      requestedName: 'web-base-2026-03-02-restored',
      sourceImage: 's3://example-ami-archive-111111111111/ami-0f1e2d3c4b5a69788.bin',
    });
    expect(decideCloudTrail(fixture('restore-image-failed').detail, WATCHED)).toEqual({
      notify: false,
      reason: 'the call failed (Client.InvalidAMIName.Duplicate)',
    });
    expect(decideCloudTrail(fixture('restore-image-tag-on-snapshot-not-image').detail, WATCHED)).toMatchObject({ notify: false });
  });

  it('reads ImportImage as an import task (no AMI id yet), in either record form', () => {
    expect(decideCloudTrail(fixture('import-image-tagged').detail, WATCHED)).toEqual({
      notify: true,
      path: 'importImage',
      imageIds: [],
      importTaskId: 'import-ami-0a1b2c3d4e5f60718',
      importStatus: 'active',
      matched: [{ key: 'Release', value: 'golden' }],
      requestedName: 'web tier appliance 2026.03',
    });
    expect(decideCloudTrail(fixture('import-image-wrapped').detail, WATCHED)).toMatchObject({
      notify: true,
      path: 'importImage',
      imageIds: [],
      importTaskId: 'import-ami-0b2c3d4e5f6071829',
      matched: [{ key: 'BackupPlan', value: 'weekly-90d' }],
    });
    expect(decideCloudTrail(fixture('import-image-failed').detail, WATCHED)).toEqual({
      notify: false,
      reason: 'the call failed (Client.InvalidParameter)',
    });
    // An errorCode stops the record even where a rule would let it through.
    const failed = fixture('import-image-failed').detail;
    expect(
      decideCloudTrail({ ...failed, responseElements: fixture('import-image-tagged').detail.responseElements }, WATCHED),
    ).toMatchObject({
      notify: false,
    });
  });

  it('catches CreateRestoreImageTask and ImportImage only where they are watched', () => {
    const only = (watch: string[]) => amiAlertPatterns(WATCHED, watch as never);
    expect(matchesPattern(only(['createImage']).createImage as EventPattern, fixture('restore-image-tagged'))).toBe(false);
    expect(matchesPattern(only(['createImage']).createImage as EventPattern, fixture('restore-image-wrapped'))).toBe(false);
    expect(matchesPattern(only(['createRestoreImageTask']).createImage as EventPattern, fixture('restore-image-tagged'))).toBe(true);
    expect(matchesPattern(only(['createRestoreImageTask']).createImage as EventPattern, fixture('create-image-tagged'))).toBe(false);
    expect(only(['createImage', 'createTags']).importImage).toBeUndefined();
    expect(matchesPattern(only(['importImage']).importImage as EventPattern, fixture('import-image-tagged'))).toBe(true);
    expect(only(['importImage']).createImage).toBeUndefined();
    // The import task's tags never count as an image's: ImportImage is not on the image rule.
    expect(matchesPattern(patterns.createImage, fixture('import-image-tagged'))).toBe(false);
  });

  it('reports every AMI a multi-resource CreateTags names, and no snapshot', () => {
    const d = decideCloudTrail(fixture('create-tags-multi').detail, WATCHED);
    expect(d).toMatchObject({ notify: true, imageIds: ['ami-0c3d4e5f60718293a', 'ami-0d4e5f60718293a4b'] });
  });

  it("proves the field report's naive pattern fires on crossed tags, and that ours does not notify", () => {
    // The seed's shape: key and value side by side in one tags object.
    const naive = {
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: ['CreateImage'],
        errorCode: [{ exists: false }],
        requestParameters: { tagSpecificationSet: { items: { resourceType: ['image'], tags: { key: ['Release'], value: ['golden'] } } } },
      },
    };
    for (const name of ['create-image-crossed', 'create-image-tag-on-snapshot-not-image']) {
      const event = fixture(name);
      expect(matchesPattern(naive, event)).toBe(true); // the false positive
      expect(matchingTags(event.detail.requestParameters.tagSpecificationSet.items[0].tags, WATCHED)).toEqual([]);
      expect(decideCloudTrail(event.detail, WATCHED)).toMatchObject({ notify: false });
    }
  });

  it('pre-filters exact pairs and any-value keys in separate $or branches', () => {
    expect(patterns.createTags).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: ['CreateTags'],
        errorCode: [{ exists: false }],
        requestParameters: {
          resourcesSet: { items: { resourceId: [{ prefix: 'ami-' }] } },
          tagSet: { items: { $or: [{ key: ['Release'], value: ['golden'] }, { key: ['BackupPlan'] }] } },
        },
      },
    });
    for (const p of Object.values(patterns)) expect(JSON.stringify(p).length).toBeLessThanOrEqual(MAX_EVENT_PATTERN_LENGTH);
  });
});

describe('ami-alerts least privilege (IAM simulation)', () => {
  let stack: StackJson;
  let sim: IamSim;
  let topicArn: string;
  let fnArn: string;
  let keyArn: string;
  let dlqArn: string;
  const role = 'ssmb-ami-notifier-ap-northeast-1';
  beforeAll(() => {
    stack = synthStack(testConfig({ amiAlerts: { tags: WATCHED } }));
    sim = iamSim(stack);
    topicArn = sim.arn('aws_sns_topic', 'ssmb-notifications');
    fnArn = sim.arn('aws_lambda_function', 'ssmb-ami-notifier');
    dlqArn = sim.arn('aws_sqs_queue', 'ssmb-dead-letters');
    const [keyId] = Object.entries(resourcesOf(stack, 'aws_kms_key')).find(([, k]) => /notifications/.test(k.description))!;
    keyArn = sim.arn('aws_kms_key', keyId);
  });

  it('lets the notifier look images up and publish, and nothing more', async () => {
    const image = `arn:aws:ec2:${REGION}::image/ami-0a1b2c3d4e5f60718`;
    const logStream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/ssmb-ami-notifier:log-stream:2026/03/02/[$LATEST]abc`;
    expect(
      await sim.roleTable(role, {
        allowed: [
          ['ec2:DescribeImages', '*'],
          ['sns:Publish', topicArn],
          ['kms:GenerateDataKey', keyArn],
          ['sqs:SendMessage', dlqArn],
          ['logs:PutLogEvents', logStream],
        ],
        denied: [
          ['ec2:CreateTags', image],
          ['ec2:DeregisterImage', image],
          ['ec2:DescribeInstances', '*'],
          ['ec2:DescribeSnapshots', '*'],
          ['sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:someone-elses-topic`],
          ['sns:Subscribe', topicArn],
          ['sqs:ReceiveMessage', dlqArn],
          ['kms:Decrypt', `arn:aws:kms:${REGION}:${ACCOUNT}:key/00000000-0000-4000-8000-000000000000`],
          ['logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/other:log-stream:x`],
        ],
      }),
    ).toEqual([]);
  });

  it('lets the notifier remember (PutItem) and recall (GetItem) images in its own table, and nothing more', async () => {
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ssmb-ami-alerts-images`;
    expect(sim.arn('aws_dynamodb_table', 'ssmb-ami-alerts-images')).toBe(table);
    expect(
      await sim.roleTable(role, {
        allowed: [
          ['dynamodb:PutItem', table],
          ['dynamodb:GetItem', table],
        ],
        denied: [
          ['dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/ssmb-ami-alerts-images-copy`],
          ['dynamodb:GetItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/terraform-locks`],
          ['dynamodb:GetItem', `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/ssmb-ami-alerts-images`],
          ['dynamodb:GetItem', `arn:aws:dynamodb:${REGION}:222222222222:table/ssmb-ami-alerts-images`],
          ['dynamodb:Query', `${table}/index/by-path`],
          ['dynamodb:Scan', table],
          ['dynamodb:Query', table],
          ['dynamodb:UpdateItem', table],
          ['dynamodb:DeleteItem', table],
          ['dynamodb:BatchWriteItem', table],
          ['dynamodb:BatchGetItem', table],
          ['dynamodb:DeleteTable', table],
          ['dynamodb:UpdateTimeToLive', table],
          ['dynamodb:ExportTableToPointInTime', table],
          ['dynamodb:GetRecords', `${table}/stream/2026-03-02T01:15:09.123`],
          ['dynamodb:ListTables', '*'],
        ],
      }),
    ).toEqual([]);
  });

  it('lets only the four AMI rules invoke the notifier', async () => {
    const ctx = (source: string) => ({ 'aws:SourceArn': source, 'aws:SourceAccount': ACCOUNT });
    expect(
      await sim.resourceTable(fnArn, {
        allowed: (Object.keys(RULE_NAMES) as RuleKind[]).map((k) => [
          'events.amazonaws.com',
          'lambda:InvokeFunction',
          fnArn,
          ctx(ruleArn(k)),
        ]),
        denied: [
          ['events.amazonaws.com', 'lambda:InvokeFunction', fnArn, ctx(`arn:aws:events:${REGION}:${ACCOUNT}:rule/some-other-rule`)],
          [
            'events.amazonaws.com',
            'lambda:InvokeFunction',
            fnArn,
            ctx(`arn:aws:events:${REGION}:222222222222:rule/${RULE_NAMES.createTags}`),
          ],
          ['events.amazonaws.com', 'lambda:InvokeFunction', fnArn],
          ['sns.amazonaws.com', 'lambda:InvokeFunction', fnArn, ctx(ruleArn('createImage'))],
          [`arn:aws:iam::${ACCOUNT}:role/anyone`, 'lambda:InvokeFunction', fnArn],
          ['events.amazonaws.com', 'lambda:UpdateFunctionCode', fnArn, ctx(ruleArn('createImage'))],
        ],
      }),
    ).toEqual([]);
  });

  it('gives the AMI rules no direct way to the topic: only the notifier publishes', async () => {
    const ctx = (source: string) => ({ 'aws:SourceArn': source, 'aws:SourceAccount': ACCOUNT });
    expect(
      await sim.resourceTable(topicArn, {
        allowed: [],
        denied: [
          ...(Object.keys(RULE_NAMES) as RuleKind[]).map((k): [string, string, string, Record<string, string>] => [
            'events.amazonaws.com',
            'sns:Publish',
            topicArn,
            ctx(ruleArn(k)),
          ]),
          ['events.amazonaws.com', 'sns:Publish', topicArn, ctx(`arn:aws:events:${REGION}:${ACCOUNT}:rule/some-other-rule`)],
          ['events.amazonaws.com', 'sns:Publish', topicArn],
          [`arn:aws:iam::222222222222:role/ssmb-ami-notifier-${REGION}`, 'sns:Publish', topicArn],
        ],
      }),
    ).toEqual([]);
    expect(await sim.canRole(role, 'sns:Publish', topicArn)).toBe('Allowed');
  });
});
