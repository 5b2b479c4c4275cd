import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { awsBackends } from '../../lib/aws/aws-backends.js';
import { testConfig } from 'jobline/testing';

describe('the DynamoDB document clients', () => {
  it('all drop undefined attributes, though they share one client (the SDK keeps their options on its config)', () => {
    const dynamodb = new DynamoDBClient({ region: 'us-east-1' });
    awsBackends(testConfig(), { dynamodb });
    // Every document client made on it writes through this one shared setting.
    const translate = (dynamodb.config as unknown as { translateConfig?: { marshallOptions?: { removeUndefinedValues?: boolean } } }).translateConfig;
    expect(translate?.marshallOptions?.removeUndefinedValues).toBe(true);
  });
});
