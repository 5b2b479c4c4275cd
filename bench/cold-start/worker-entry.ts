/**
 * Cold-start benchmark (bench/cold-start.ts): the smallest real worker a team deploys — one
 * kind with a zod schema, bound to a handler that does nothing. What the bundle costs at init
 * is then jobline's own, not the handlers'.
 *
 * zod is imported as zod 4 documents it (`import * as z`): esbuild then keeps only what is
 * used. `import { z } from 'zod'` makes esbuild keep all of zod (about 444 KiB minified, every
 * locale included) whatever jobline does, and would measure the app's import style instead.
 */
import * as z from 'zod';
import { defineJob } from 'jobline';
import { createWorker, defineHandler } from 'jobline/worker';

const noop = defineJob({ kind: 'bench.noop', schema: z.object({ id: z.string() }) });

export const handler = createWorker({ jobs: [defineHandler(noop, async () => {})] });
