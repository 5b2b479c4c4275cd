import { createSweeper } from '../lib/sweeper/create-sweeper.js';

/** The sweeper: re-sends jobs whose enqueue could not, and finds stuck ones. Run every minute by JobQueue. */
export const handler = createSweeper();
