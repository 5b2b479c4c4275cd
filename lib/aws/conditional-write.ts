import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** The output of a conditional write, or undefined when its condition did not hold; any other error is thrown. */
export async function ifConditionHolds<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return undefined;
    throw error;
  }
}

/**
 * A token for a conditional write to carry on its item, so that the write knows its own effect
 * when the SDK retries it after its first response was lost: 12 characters, unique among the
 * writers of one item, and light on the item's billed size.
 */
export function ownWriteToken(): string {
  return randomBytes(9).toString('base64url');
}
