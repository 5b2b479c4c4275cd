import { ifConditionHolds } from '../aws/conditional-write.js';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { slotOrder, type HeldSlot, type SlotRequest, type SlotStore } from './slot-store.js';

/** Slots outlive their lease in the table by this long (TTL reaps them), in seconds. */
const SLOT_TTL_SECONDS = 86_400;

/**
 * {@link SlotStore} on the idempotency table: one item per slot (`slot#<kind>#<key>#<i>`),
 * taken with a conditional put (free, lease over, or ours already). A full limit costs one
 * failed conditional write per slot tried.
 */
export class DynamoSlotStore implements SlotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly random: () => number = Math.random,
  ) {}

  async acquire(request: SlotRequest): Promise<HeldSlot | undefined> {
    for (const index of slotOrder(request.limit, this.random)) {
      const taken = await ifConditionHolds(this.doc.send(new PutCommand({
        TableName: this.tableName,
        Item: { pk: slotKey(request.kind, request.key, index), holder: request.holder, leaseUntil: request.leaseUntil.toISOString(), expiresAt: Math.floor(request.leaseUntil.getTime() / 1000) + SLOT_TTL_SECONDS },
        ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil < :now OR holder = :holder',
        ExpressionAttributeValues: { ':now': request.now.toISOString(), ':holder': request.holder },
      })));
      if (taken) return { kind: request.kind, key: request.key, index, holder: request.holder };
    }
    return undefined;
  }

  async release(slot: HeldSlot): Promise<void> {
    await ifConditionHolds(this.doc.send(new DeleteCommand({
      TableName: this.tableName,
      Key: { pk: slotKey(slot.kind, slot.key, slot.index) },
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': slot.holder },
    })));
  }
}

function slotKey(kind: string, key: string, index: number): string {
  return `slot#${kind}#${key}#${index}`;
}
