/**
 * Cold-start benchmark (bench/cold-start.ts), for information: the SDK clients a worker makes
 * at its start since its SQS and Scheduler sides load on their first call
 * (lib/aws/on-first-call.ts): DynamoDB and its document client, made as the worker makes them,
 * and a handler that does nothing. The baseline the issue names (sdk-only-entry.ts) loads SQS
 * and Scheduler too; a hand-written worker could defer them as jobline does, and this row is
 * that worker's floor.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const dynamodb = new DynamoDBClient({});
export const clients = {
  dynamodb,
  document: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
};

export async function handler(_event: SQSEvent): Promise<SQSBatchResponse> {
  return { batchItemFailures: [] };
}
