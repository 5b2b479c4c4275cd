import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';

/** The item actions jobline's stores use (a transaction's items are authorized as these). */
export const ITEM_ACTIONS = ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'] as const;
/** What operators' tools add: a parent's children are read 100 to a BatchGetItem. */
export const OPERATOR_ITEM_ACTIONS = [...ITEM_ACTIONS, 'BatchGetItem'] as const;
/**
 * What the worker adds on the jobs table: a batch's claims read their records 100 to a
 * BatchGetItem, and its claims and outcomes are PartiQL UPDATEs, 25 to a BatchExecuteStatement
 * (which AWS authorizes per statement, as dynamodb:PartiQLUpdate).
 */
export const WORKER_ITEM_ACTIONS = [...ITEM_ACTIONS, 'BatchGetItem', 'PartiQLUpdate'] as const;
export type ItemAction = (typeof WORKER_ITEM_ACTIONS)[number];
const READ_ACTIONS: readonly ItemAction[] = ['GetItem', 'Query', 'BatchGetItem'];

/**
 * Grants `actions` on a table by name, and `Query` on the named indexes only — not CDK's
 * `index/*` — so each function gets the actions and resources it uses and no more.
 */
export function grantTable(grantee: IGrantable, table: TableV2, actions: readonly ItemAction[], indexNames: readonly string[] = []): Grant {
  const indexes = actions.includes('Query') ? indexNames.map((name) => `${table.tableArn}/index/${name}`) : [];
  // A table under a customer-managed key: reading needs Decrypt, writing the key's full use (as CDK's own grants do).
  if (actions.some((action) => !READ_ACTIONS.includes(action))) table.encryptionKey?.grantEncryptDecrypt(grantee);
  else table.encryptionKey?.grantDecrypt(grantee);
  // The indexes get Query alone: no other action applies to an index.
  if (indexes.length > 0) Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: indexes });
  return Grant.addToPrincipal({ grantee, actions: actions.map((action) => `dynamodb:${action}`), resourceArns: [table.tableArn] });
}
