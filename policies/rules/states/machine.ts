// Shared by the Step Functions rules: every state machine's definition, parsed, and its
// states walked with where they sit (top level, or inside a Map iteration / Parallel branch).
import { isExpression, type Resource, type StackModel } from '../../model';
import type { Violation } from '../../types';

export type Json = Record<string, any>;

export interface StateRef {
  /** `Start`, `SnapshotNodes/DescribePatches` (Map and Parallel states nest). */
  readonly path: string;
  readonly state: Json;
  /** Inside a Map iteration or a Parallel branch: its failure ends the enclosing state, not only itself. */
  readonly nested: boolean;
}

export interface ReadableMachine {
  readonly resource: Resource;
  readonly definition: Json;
  readonly states: StateRef[];
}

export type Machine = ReadableMachine | { readonly resource: Resource; readonly unreadable: string };

/** Every `aws_sfn_state_machine` of the stack with its definition parsed, or why it cannot be read. */
export function machines(stack: StackModel): Machine[] {
  return stack.byType('aws_sfn_state_machine').map((resource): Machine => {
    const raw = resource.values.definition;
    let definition: unknown = raw;
    if (typeof raw === 'string') {
      try {
        definition = JSON.parse(raw);
      } catch {
        const what = isExpression(raw) ? 'a Terraform expression' : 'not JSON';
        return {
          resource,
          unreadable: `its definition is ${what} the checks cannot read: ${raw.length > 80 ? `${raw.slice(0, 77)}...` : raw}`,
        };
      }
    }
    if (!definition || typeof definition !== 'object' || typeof (definition as Json).States !== 'object')
      return { resource, unreadable: 'its definition has no States object the checks can read' };
    return { resource, definition: definition as Json, states: walk((definition as Json).States, '', false) };
  });
}

/** The stack's readable machines; each unreadable one is reported into `out` as "could not tell". */
export function readableMachines(stack: StackModel, out: Violation[]): ReadableMachine[] {
  return machines(stack).flatMap((m) => {
    if ('states' in m) return [m];
    out.push({ address: m.resource.address, message: m.unreadable, outcome: 'unknown' });
    return [];
  });
}

function walk(states: Json, prefix: string, nested: boolean): StateRef[] {
  const out: StateRef[] = [];
  for (const [name, state] of Object.entries(states ?? {})) {
    if (!state || typeof state !== 'object') continue;
    const path = `${prefix}${name}`;
    out.push({ path, state, nested });
    // ItemProcessor (current) or Iterator (deprecated spelling) of a Map; Branches of a Parallel.
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor?.States) out.push(...walk(processor.States, `${path}/`, true));
    for (const [i, branch] of (Array.isArray(state.Branches) ? state.Branches : []).entries())
      if (branch?.States) out.push(...walk(branch.States, `${path}[${i}]/`, true));
  }
  return out;
}

/** Every `"<key>.$": "<string>"` field under a state's value, with its JSON path inside the state. */
export function pathFields(value: unknown, at = ''): Array<{ field: string; expression: string }> {
  if (Array.isArray(value)) return value.flatMap((v, i) => pathFields(v, `${at}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => {
    const field = at ? `${at}.${k}` : k;
    if (k.endsWith('.$') && typeof v === 'string') return [{ field, expression: v }];
    // Nested machines are walked as states of their own.
    if (k === 'ItemProcessor' || k === 'Iterator' || k === 'Branches') return [];
    return pathFields(v, field);
  });
}

/**
 * Intrinsic function calls in one expression: every `States.<Name>(`, nested ones
 * included, outside quoted string literals (`'...'` with `\` escapes).
 */
export function intrinsicCalls(expression: string): number {
  let count = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === "'") {
      for (i++; i < expression.length && expression[i] !== "'"; i++) if (expression[i] === '\\') i++;
      continue;
    }
    if (expression.startsWith('States.', i) && (i === 0 || !/[A-Za-z0-9_$.]/.test(expression[i - 1]))) {
      const m = /^States\.[A-Za-z0-9]+\s*\(/.exec(expression.slice(i));
      if (m) {
        count++;
        i += m[0].length - 1;
      }
    }
  }
  return count;
}

/** `arn:aws:states:::aws-sdk:<service>:<action>` parts (lower-cased service, action as written), or undefined. */
export function sdkIntegration(resource: unknown): { service: string; action: string; suffix?: string } | undefined {
  if (typeof resource !== 'string') return undefined;
  const m = /^arn:aws[a-z-]*:states:::aws-sdk:([a-z0-9-]+):([A-Za-z0-9]+)(?:\.(waitForTaskToken))?$/.exec(resource);
  return m ? { service: m[1], action: m[2], suffix: m[3] } : undefined;
}

/**
 * SDK service names (as the ARN spells them) whose IAM prefix differs, and SDK
 * operations whose IAM action has another name (Step Functions developer guide, "AWS
 * SDK service integrations"; Service Authorization Reference for each service).
 */
const IAM_PREFIX: Record<string, string> = {
  sfn: 'states',
  cloudwatchlogs: 'logs',
  eventbridge: 'events',
  elasticloadbalancingv2: 'elasticloadbalancing',
};
const IAM_ACTION: Record<string, string> = {
  's3:listobjectsv2': 's3:ListBucket',
  's3:headobject': 's3:GetObject',
  's3:headbucket': 's3:ListBucket',
};

/** The IAM action an SDK integration needs (`ec2:DescribeInstances` for `aws-sdk:ec2:describeInstances`). */
export function iamActionOf(service: string, action: string): string {
  const prefix = IAM_PREFIX[service] ?? service;
  const name = `${prefix}:${action.charAt(0).toUpperCase()}${action.slice(1)}`;
  return IAM_ACTION[name.toLowerCase()] ?? name;
}

/** Every IAM action the SDK integrations of the stack's machines need (to load the catalog before the rules run). */
export function sdkActions(stack: StackModel): string[] {
  return machines(stack).flatMap((m) =>
    'states' in m
      ? m.states.flatMap(({ state }) => {
          const sdk = state.Type === 'Task' ? sdkIntegration(state.Resource) : undefined;
          return sdk ? [iamActionOf(sdk.service, sdk.action)] : [];
        })
      : [],
  );
}
