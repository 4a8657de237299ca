import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, LocalBackend } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { AppStack } from '../../stacks/platform/app-stack';
import { parseConfig } from '../../stacks/platform/config/load';
import { ROOT, StackJson, readStacks, synthToDir } from '../helpers/synth';

// The app's stacks skip cdktf's pass that turns a reference to another stack's resource
// into an output and remote state (see AppStack): such a reference would reach the
// output as an address its stack does not declare. This finds one.

/** Addresses of `aws_*` resources and data sources a stack's expressions name. */
function references(stack: StackJson): string[] {
  const named = new Set<string>();
  // Expressions, not `$${...}` literals.
  for (const [, expression] of JSON.stringify(stack).matchAll(/(?<!\$)\$\{([^}]*)\}/g))
    for (const [address] of expression.matchAll(/\b(?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+/g)) named.add(address);
  return [...named].sort();
}

/** The references of a stack to resources and data sources it does not declare. */
function undeclaredReferences(stack: StackJson): string[] {
  const declared = new Set([
    ...Object.entries(stack.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `${type}.${n}`)),
    ...Object.entries(stack.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((n) => `data.${type}.${n}`)),
  ]);
  return references(stack).filter((a) => !declared.has(a));
}

describe("the app's stacks refer only to their own resources", () => {
  it.each(['example.json', 'example-bastion.json', 'example-organization.json'])('config/%s', (file) => {
    const config = parseConfig(JSON.parse(readFileSync(join(ROOT, 'config', file), 'utf8')), file);
    const stacks = readStacks(synthToDir(config));
    expect(Object.keys(stacks).length).toBeGreaterThan(1);
    // The stacks do refer to their own resources: the check has something to look at.
    expect(Object.values(stacks).every((stack) => references(stack).length > 0)).toBe(true);
    for (const [name, stack] of Object.entries(stacks)) {
      expect({ name, undeclared: undeclaredReferences(stack) }).toEqual({ name, undeclared: [] });
      // What cdktf's pass would have added for one.
      expect({ name, remoteState: Object.keys(stack.data?.terraform_remote_state ?? {}) }).toEqual({ name, remoteState: [] });
    }
  });

  it('a reference to another stack is found', () => {
    class Plain extends AppStack {}
    const outdir = mkdtempSync(join(ROOT, '.tmp', 'app-stack-cross-'));
    const app = new App({ outdir });
    const [a, b] = ['a', 'b'].map((id) => {
      const stack = new Plain(app, id);
      new AwsProvider(stack, 'aws', { region: 'us-east-1' });
      new LocalBackend(stack, { path: `${id}.tfstate` });
      return stack;
    });
    const queue = new SqsQueue(a, 'queue', { name: 'q' });
    new SnsTopic(b, 'topic', { name: 't', displayName: queue.arn });
    app.synth();
    const stack = (id: string) => JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')) as StackJson;
    expect(undeclaredReferences(stack('a'))).toEqual([]);
    expect(undeclaredReferences(stack('b'))).toEqual(['aws_sqs_queue.queue']);
  });
});
