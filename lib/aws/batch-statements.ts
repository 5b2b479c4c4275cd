import { BatchExecuteStatementCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Statements per BatchExecuteStatement request (DynamoDB's limit). */
export const BATCH_STATEMENT_LIMIT = 25;

/** One PartiQL write of a batch, its parameters as plain values (the document client marshals them). */
export interface WriteStatement {
  readonly Statement: string;
  readonly Parameters: readonly unknown[];
  /** The item the statement writes, as a string: no request names one item twice. */
  readonly itemKey: string;
}

/**
 * What one statement of a batch came to: applied, or refused with DynamoDB's code for it —
 * `ConditionalCheckFailed` with the item as it was (when there was one), or another code
 * (throttled, an internal error, a validation error) for a statement that did not run.
 */
export type StatementResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly code: string; readonly message?: string | undefined; readonly item?: Record<string, unknown> | undefined };

/**
 * Runs up to 25 write statements in one BatchExecuteStatement request, each applied or refused on
 * its own condition, a refused one returning the item it was refused on. A request that fails
 * as a whole (after the SDK's retries) throws.
 */
export async function runWriteStatements(doc: DynamoDBDocumentClient, statements: readonly WriteStatement[]): Promise<StatementResult[]> {
  if (statements.length > BATCH_STATEMENT_LIMIT) throw new RangeError(`a BatchExecuteStatement takes at most ${BATCH_STATEMENT_LIMIT} statements, not ${statements.length}`);
  const output = await doc.send(new BatchExecuteStatementCommand({
    Statements: statements.map((s) => ({ Statement: s.Statement, Parameters: [...s.Parameters], ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
  }));
  const responses = output.Responses ?? [];
  return statements.map((_, i) => {
    const error = responses[i]?.Error;
    if (!responses[i]) return { ok: false, code: 'NoResponse', message: `the response lists ${responses.length} of ${statements.length} statements` };
    if (!error) return { ok: true };
    return { ok: false, code: error.Code ?? 'Unknown', message: error.Message, item: error.Item as Record<string, unknown> | undefined };
  });
}
