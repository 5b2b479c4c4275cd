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
