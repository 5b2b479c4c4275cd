/**
 * Cold-start benchmark (bench/cold-start.ts), for information: the baseline's SDK clients plus
 * what every jobline app brings itself, zod and one kind's schema (`import * as z`, as in
 * worker-entry.ts). The worker's init against this bundle is what jobline adds beyond the
 * clients and the app's own validator.
 */
import * as z from 'zod';

export { clients, handler } from './sdk-only-entry.js';

export const schema = z.object({ id: z.string() });
