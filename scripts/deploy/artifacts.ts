// Names of the workflow artifacts that carry one stack's files between jobs and runs.
// The plan workflow uploads `plan-<stack>` (plan.json or plan-error.txt); the apply
// workflow downloads that artifact from the reviewed pull request's run and uploads its
// own outcome as `apply-<stack>`; the drift workflow uploads `drift-<stack>`. One function
// names them all, so a download always finds what the upload wrote.

export const ARTIFACT_KINDS = ['plan', 'apply', 'drift'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** Stack names as cdktf writes them, and nothing GitHub refuses in an artifact name (`/`, `:`, `*`, ...). */
const STACK_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** `<kind>-<stack>`: the artifact holding one stack's plan, apply outcome or drift plan. */
export function artifactName(kind: ArtifactKind, stack: string): string {
  if (!ARTIFACT_KINDS.includes(kind)) throw new Error(`unknown artifact kind ${JSON.stringify(kind)}`);
  if (!STACK_NAME.test(stack)) throw new Error(`stack name ${JSON.stringify(stack)} cannot name an artifact (letters, digits, . _ -)`);
  return `${kind}-${stack}`;
}

/** The download pattern matching every artifact of a kind (and no other kind's). */
export function artifactPattern(kind: ArtifactKind): string {
  return `${artifactName(kind, 'x').slice(0, -1)}*`;
}

/** The stack an artifact (or the folder download-artifact unpacked it into) belongs to, if it is of `kind`. */
export function stackOfArtifact(kind: ArtifactKind, name: string): string | undefined {
  const prefix = artifactPattern(kind).slice(0, -1);
  const stack = name.startsWith(prefix) ? name.slice(prefix.length) : '';
  return STACK_NAME.test(stack) ? stack : undefined;
}
