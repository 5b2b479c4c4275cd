import * as z from 'zod';
import { defineJob } from 'jobline';

/**
 * The benchmark stack's own kinds: one no-op kind per tracking level, so `npm run bench`
 * measures what the tracking level alone changes. The stack also runs the reference app's
 * import kinds (the large-import measurement).
 */
const noop = z.object({ data: z.string().max(4096) });
export const benchFull = defineJob({ kind: 'bench.noop', schema: noop });
export const benchFromClaim = defineJob({ kind: 'bench.noop-from-claim', schema: noop, tracking: 'from-claim' });
export const benchOutcome = defineJob({ kind: 'bench.noop-outcome', schema: noop, tracking: 'outcome' });

export const benchJobs = [benchFull, benchFromClaim, benchOutcome] as const;
