import { createDispatcher } from '../lib/dispatcher/create-dispatcher.js';

/** The dispatcher: sends the jobs callers wrote in their own transactions, from the jobs table's stream. Run by JobQueue. */
export const handler = createDispatcher();
