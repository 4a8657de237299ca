import { z } from 'zod';
import { shown, tagKey, tagValue } from '../../platform/config/common';
import { AMI_ALERT_PATHS, MAX_EVENT_PATTERN_LENGTH, amiAlertPatterns } from './patterns';
import type { WatchedTag } from './env';

/** One watched tag: an exact key/value pair, or a key with any value. */
export const watchedTag = z.strictObject({
  key: tagKey.describe('Tag key, matched exactly (case-sensitive, as EC2 stores it)'),
  value: tagValue.optional().describe('Tag value, matched exactly together with key. @default - any value'),
});

/**
 * The default opts AMIs in one by one: whoever creates an image tags it
 * `ssm-baseline:notify = true` (at creation or later) to have the team told.
 */
export const DEFAULT_WATCHED_TAGS: WatchedTag[] = [{ key: 'ssm-baseline:notify', value: 'true' }];

/** Tagged-AMI alerts. */
export const amiAlertsConfig = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Deploy this capability. @default true'),
    tags: z
      .array(watchedTag)
      .max(20, {
        error: (iss) =>
          `at most 20 tag pairs (keep the event patterns within EventBridge's size limit), got ${String((iss.input as unknown[]).length)}`,
      })
      .default(DEFAULT_WATCHED_TAGS)
      .describe(
        'Tags that make an AMI worth an alert. An AMI matches when it carries one pair exactly ' +
          '(same key with the same value; a pair without value matches any value). @default [{"key":"ssm-baseline:notify","value":"true"}]',
      ),
    watch: z
      .array(z.enum(AMI_ALERT_PATHS))
      .min(1, { error: `must list at least one of ${AMI_ALERT_PATHS.join(', ')} (or set enabled: false)` })
      .default([...AMI_ALERT_PATHS])
      .describe(
        'Which moments alert: createImage, copyImage, registerImage, createRestoreImageTask (tagged at creation by that call), ' +
          'importImage (an ImportImage whose import task carries a watched tag; the AMI id comes when the task completes), ' +
          'createTags (tagged later), available / failed (EC2 AMI State Change of a watched image). @default all eight',
      ),
  })
  .superRefine((cfg, ctx) => {
    if (!cfg.enabled) return;
    if (cfg.tags.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['tags'],
        message: 'must list at least one tag pair while the capability is enabled (or set enabled: false)',
      });
      return;
    }
    const seenPair = new Map<string, number>();
    const anyValue = new Map<string, number>();
    cfg.tags.forEach((t, i) => {
      if (t.value === undefined) anyValue.set(t.key, anyValue.get(t.key) ?? i);
    });
    cfg.tags.forEach((t, i) => {
      const id = JSON.stringify([t.key, t.value ?? null]);
      const prev = seenPair.get(id);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', i],
          message: `duplicate tag pair ${describeTag(t)} (also at amiAlerts.tags[${prev}])`,
        });
        return;
      }
      seenPair.set(id, i);
      const wide = anyValue.get(t.key);
      if (t.value !== undefined && wide !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags', i],
          message: `${describeTag(t)} is already covered by amiAlerts.tags[${wide}] (key ${shown(t.key)} with any value); remove one`,
        });
      }
    });
    const seenPath = new Set<string>();
    cfg.watch.forEach((p, i) => {
      if (seenPath.has(p)) ctx.addIssue({ code: 'custom', path: ['watch', i], message: `duplicate path ${JSON.stringify(p)}` });
      seenPath.add(p);
    });
    // EventBridge refuses patterns over 2048 characters (the default quota): say so
    // at synth rather than at apply.
    for (const [path, pattern] of Object.entries(amiAlertPatterns(cfg.tags))) {
      const length = JSON.stringify(pattern).length;
      if (length > MAX_EVENT_PATTERN_LENGTH) {
        ctx.addIssue({
          code: 'custom',
          path: ['tags'],
          message: `the ${path} rule's event pattern would be ${length} characters; EventBridge allows ${MAX_EVENT_PATTERN_LENGTH}: watch fewer or shorter tags`,
        });
      }
    }
  })
  .describe('Tagged-AMI alerts');

export type AmiAlertsConfig = z.infer<typeof amiAlertsConfig>;

function describeTag(t: WatchedTag): string {
  return t.value === undefined ? `${shown(t.key)} (any value)` : `${shown(t.key)}=${shown(t.value)}`;
}
