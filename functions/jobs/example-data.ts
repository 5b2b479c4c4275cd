import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * The reference app's own data: a contacts table (partition `day` = signup date, sort `email`)
 * that imports write and reports read, and a bucket for uploaded and generated files.
 */
export const contacts = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });

/** Against an emulator, buckets are addressed by path (a bucket-named host does not resolve). */
export const s3 = new S3Client({ forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL) });

/** The env var a function reads a resource name from; a clear error when it is missing. */
export function resourceName(variable: 'CONTACTS_TABLE' | 'FILES_BUCKET'): string {
  const value = process.env[variable];
  if (!value) throw new Error(`${variable} is not set: this function needs the reference stack's example resources`);
  return value;
}

/** A contact row as stored. */
export interface Contact {
  readonly day: string;
  readonly email: string;
  readonly name: string;
  readonly country: string;
}
