import { getAll } from '../aws/batch-get.js';
import { ifConditionHolds } from '../aws/conditional-write.js';
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { slotOrder, type HeldSlot, type LineKey, type SlotRequest, type SlotStore } from './slot-store.js';

/** Slots outlive their lease in the table by this long (TTL reaps them), in seconds. */
const SLOT_TTL_SECONDS = 86_400;

/** A line item outlives its last ticket or admission by this long (TTL reaps it), in seconds. */
const LINE_TTL_SECONDS = 86_400;

/**
 * {@link SlotStore} on the idempotency table: one item per slot (`slot#<kind>#<key>#<i>`),
 * taken with a conditional put (free, lease over, or ours already). A full limit costs one
 * failed conditional write per slot tried. The key's line of waiting jobs is one more item
 * (`line#<kind>#<key>`): `issued`, the last ticket handed out (one update a ticket), and
 * `front`, how many tickets the line is done with (one update each: a job got a slot, or gave
 * its ticket back).
 */
export class DynamoSlotStore implements SlotStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly random: () => number = Math.random,
  ) {}

  async acquire(request: SlotRequest): Promise<HeldSlot | undefined> {
    const free = request.readFirst ? await this.freeSlots(request) : undefined;
    for (const index of slotOrder(request.limit, this.random)) {
      if (free && !free.has(index)) continue;
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

  /** The slots that are free (no item, lease over) or the holder's own, by one batched read. */
  private async freeSlots(request: SlotRequest): Promise<Set<number>> {
    const keys = Array.from({ length: request.limit }, (_, index) => ({ pk: slotKey(request.kind, request.key, index) }));
    const held = new Map((await getAll(this.doc, this.tableName, keys, 'concurrency slots')).map((item) => [String(item.pk), item]));
    const now = request.now.toISOString();
    const free = new Set<number>();
    keys.forEach(({ pk }, index) => {
      const item = held.get(pk);
      if (!item || String(item.leaseUntil) < now || item.holder === request.holder) free.add(index);
    });
    return free;
  }

  async release(slot: HeldSlot): Promise<void> {
    await ifConditionHolds(this.doc.send(new DeleteCommand({
      TableName: this.tableName,
      Key: { pk: slotKey(slot.kind, slot.key, slot.index) },
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': slot.holder },
    })));
  }

  async renew(slot: HeldSlot, leaseUntil: Date): Promise<boolean> {
    const output = await ifConditionHolds(this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: slotKey(slot.kind, slot.key, slot.index) },
      UpdateExpression: 'SET leaseUntil = :leaseUntil, expiresAt = :expiresAt',
      ConditionExpression: 'attribute_exists(pk) AND holder = :holder',
      ExpressionAttributeValues: { ':holder': slot.holder, ':leaseUntil': leaseUntil.toISOString(), ':expiresAt': Math.floor(leaseUntil.getTime() / 1000) + SLOT_TTL_SECONDS },
    })));
    return output !== undefined;
  }

  async join(line: LineKey, now: Date): Promise<{ ticket: number; front: number }> {
    const output = await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: lineKey(line) },
      UpdateExpression: 'ADD issued :one SET expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiry(now) },
      ReturnValues: 'ALL_NEW',
    }));
    return { ticket: Number(output.Attributes!.issued), front: Number(output.Attributes!.front ?? 0) };
  }

  async front(line: LineKey): Promise<number> {
    const output = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: { pk: lineKey(line) }, ProjectionExpression: 'front' }));
    return Number(output.Item?.front ?? 0);
  }

  async advance(line: LineKey, now: Date): Promise<void> {
    await this.doc.send(new UpdateCommand({
      TableName: this.tableName,
      Key: { pk: lineKey(line) },
      UpdateExpression: 'ADD front :one SET expiresAt = :expiresAt',
      ExpressionAttributeValues: { ':one': 1, ':expiresAt': expiry(now) },
    }));
  }
}

function lineKey(line: LineKey): string {
  return `line#${line.kind}#${line.key}`;
}

function expiry(now: Date): number {
  return Math.floor(now.getTime() / 1000) + LINE_TTL_SECONDS;
}

function slotKey(kind: string, key: string, index: number): string {
  return `slot#${kind}#${key}#${index}`;
}
