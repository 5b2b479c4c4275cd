/** Most tags one job carries (its kind's and its enqueue's together): each costs one write at enqueue. */
export const MAX_TAGS = 5;
/** Longest tag, in characters. */
export const MAX_TAG_LENGTH = 64;
/** A tag: 1–64 letters, digits and `_ . : / @ = + -` — `customer:42`, `import:7f3`, `region=eu`. */
export const TAG = /^[A-Za-z0-9_.:/@=+-]{1,64}$/;
/**
 * How long a tag's item outlives the time its job was due, beyond its kind's longest retention:
 * room for the job's attempts. A job that ends later than this after it was due is no longer
 * found by the tag for the rest of its retention.
 */
export const TAG_SLACK_SECONDS = 30 * 86_400;

/**
 * The tags a kind declares: fixed, or computed from each payload (like a flow-control key). The
 * function is declared as a method so that a kind of any payload fits a list of kinds, as a
 * flow-control key's does.
 */
export type JobTags<TPayload> = readonly string[] | TagsOfPayload<TPayload>['of'];

interface TagsOfPayload<TPayload> {
  of(payload: TPayload): readonly string[];
}

/** A new job's tags and when their items expire. */
export interface NewJobTags {
  readonly names: readonly string[];
  readonly expiresAt: Date;
}
