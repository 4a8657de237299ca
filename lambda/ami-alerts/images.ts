import { DescribeImagesCommand, EC2Client, Image } from '@aws-sdk/client-ec2';
import type { Tag } from './match';

/** What the message and the state-change decision need to know about an AMI. */
export interface ImageFacts {
  readonly imageId: string;
  readonly name?: string;
  readonly state?: string;
  readonly stateReason?: string;
  readonly sourceInstanceId?: string;
  readonly creationDate?: string;
  readonly tags: Tag[];
}

/** Ids per request: EC2 filters take at most 200 values; stay well below. */
const CHUNK = 100;

function facts(img: Image): ImageFacts {
  return {
    imageId: img.ImageId as string,
    name: img.Name,
    state: img.State,
    stateReason: img.StateReason?.Message,
    sourceInstanceId: img.SourceInstanceId,
    creationDate: img.CreationDate,
    tags: (img.Tags ?? []).filter((t) => typeof t.Key === 'string').map((t) => ({ key: t.Key as string, value: t.Value ?? '' })),
  };
}

/**
 * Looks the images up by id. A filter (not ImageIds) so an id that no longer exists is
 * simply absent instead of failing the whole call; deprecated and disabled images are
 * included because they still carry their tags. Errors propagate: callers decide
 * whether a lookup failure degrades the message or fails the invocation. `abortSignal`
 * cancels the pending request (enrichment deadlines).
 */
export async function describeImages(
  ec2: EC2Client,
  imageIds: readonly string[],
  options: { readonly abortSignal?: AbortSignal } = {},
): Promise<Map<string, ImageFacts>> {
  const out = new Map<string, ImageFacts>();
  for (let i = 0; i < imageIds.length; i += CHUNK) {
    let nextToken: string | undefined;
    do {
      const res = await ec2.send(
        new DescribeImagesCommand({
          Filters: [{ Name: 'image-id', Values: imageIds.slice(i, i + CHUNK) }],
          IncludeDeprecated: true,
          IncludeDisabled: true,
          NextToken: nextToken,
        }),
        { abortSignal: options.abortSignal },
      );
      for (const img of res.Images ?? []) if (img.ImageId) out.set(img.ImageId, facts(img));
      nextToken = res.NextToken;
    } while (nextToken);
  }
  return out;
}
