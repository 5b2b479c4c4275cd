import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/**
 * The emulator's ceiling, for `npm run bench`: a Lambda that does nothing with its SQS batch,
 * fed by a queue with the jobline worker's batch size and concurrency. What it reaches is what
 * SQS → Lambda itself allows on this machine.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  void event;
  return { batchItemFailures: [] };
}
