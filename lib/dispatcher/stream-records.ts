import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { KeptJob } from './dispatch-kept.js';
import { DISPATCH_ATTRIBUTE, toJobRecord } from '../store/dynamo/job-item.js';

/** A stream record the dispatcher acts on: a job written in a caller's transaction, with its payload. */
export interface StreamJob extends KeptJob {
  /** The record's stream sequence number: what a partial batch response names. */
  readonly sequenceNumber: string;
}

/**
 * The jobs among a batch of the jobs table's stream records: inserts marked for the stream's
 * dispatch that carry their payload. Anything else (the event source's filter should have
 * kept it out) is skipped.
 */
export function jobsOfStream(records: readonly DynamoDBRecord[]): StreamJob[] {
  return records.flatMap((record) => {
    const image = record.dynamodb?.NewImage;
    const sequenceNumber = record.dynamodb?.SequenceNumber;
    if (record.eventName !== 'INSERT' || !image || !sequenceNumber) return [];
    const item = unmarshall(image as Record<string, AttributeValue>);
    if (item[DISPATCH_ATTRIBUTE.name] !== DISPATCH_ATTRIBUTE.viaStream || typeof item.payloadJson !== 'string') return [];
    return [{ sequenceNumber, record: toJobRecord(item), payloadJson: item.payloadJson }];
  });
}
