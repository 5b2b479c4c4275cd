import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, type TranslateConfig } from '@aws-sdk/lib-dynamodb';

/** How every jobline document client marshals: attributes left undefined are not written. */
export const TRANSLATE_CONFIG: TranslateConfig = { marshallOptions: { removeUndefinedValues: true } };

/**
 * A document client on `client`, with jobline's marshalling. Always make them here: the SDK
 * stores a document client's options on the *shared* config of the client it wraps, so a
 * second `DynamoDBDocumentClient.from(client)` with other options changes the first one's too.
 */
export function documentClient(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, TRANSLATE_CONFIG);
}
