/**
 * Cold-start benchmark (bench/cold-start.ts): the baseline the worker is held to — only the AWS
 * SDK clients the worker makes (lib/aws/aws-backends.ts: DynamoDB, its document client, SQS,
 * EventBridge Scheduler), made as the worker makes them, and a handler that does nothing.
 * Nothing of jobline, zod or Powertools: what a hand-written SQS worker on the same clients
 * cannot avoid loading.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

const dynamodb = new DynamoDBClient({});
export const clients = {
  dynamodb,
  document: DynamoDBDocumentClient.from(dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
  sqs: new SQSClient({}),
  scheduler: new SchedulerClient({}),
};

export async function handler(_event: SQSEvent): Promise<SQSBatchResponse> {
  return { batchItemFailures: [] };
}
