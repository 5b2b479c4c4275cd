import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { BATCH_WRITE_DEPTH, putAll } from '../../lib/aws/batch-write.js';

type Put = { PutRequest: { Item: { id: number } } };

describe('putAll', () => {
  it('writes 25 items a request, several requests at once, and sends again what DynamoDB left unprocessed', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    const mock = mockClient(doc);
    const written: number[] = [];
    let inFlight = 0;
    let mostInFlight = 0;
    let first = true;
    mock.on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, Put[]> }) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      const requests = input.RequestItems.jobs!;
      expect(requests.length).toBeLessThanOrEqual(25);
      // The first request comes back with its last 3 items unprocessed (throttled).
      const kept = first ? requests.slice(0, -3) : requests;
      const left = first ? requests.slice(-3) : [];
      first = false;
      written.push(...kept.map((r) => r.PutRequest.Item.id));
      return { UnprocessedItems: left.length ? { jobs: left } : {} };
    });

    await putAll(doc, 'jobs', Array.from({ length: 210 }, (_, id) => ({ id })), 'job records');

    expect(written.sort((a, b) => a - b)).toEqual(Array.from({ length: 210 }, (_, id) => id));
    expect(mock.commandCalls(BatchWriteCommand)).toHaveLength(10); // 9 of up to 25, and the 3 left over
    expect(mostInFlight).toBe(BATCH_WRITE_DEPTH);
  });

  it('gives up, naming what is unwritten, when DynamoDB keeps leaving items unprocessed', async () => {
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    mockClient(doc).on(BatchWriteCommand).callsFake(async (input: { RequestItems: Record<string, Put[]> }) => ({ UnprocessedItems: input.RequestItems }));
    await expect(putAll(doc, 'jobs', [{ id: 1 }, { id: 2 }], 'contacts')).rejects.toThrow('DynamoDB left 2 contacts unwritten after 8 retries');
  }, 20_000);
});
