/**
 * The line of jobs waiting for a concurrency limit's slots, and when each of them looks again.
 *
 * A job that finds every slot of its key held takes a ticket: the next number of the key's line
 * (one write on the line's item). The line's front counts the tickets the line is done with:
 * their job got a slot, or was dropped while waiting (cancelled, or a duplicate of a job that is
 * over) and gave its ticket back (one write each). A job near the front — within the limit plus
 * what the line admits in {@link NEAR_SECONDS} at the pace it measured — reads the slots and
 * writes only to a free one; a job further back only reads the front, and comes back when the
 * front should be about half way to it, from the pace it measured between two looks. So a
 * waiting job makes about four writes in all (its ticket, its slot, the front, the release),
 * however long the line; the line's item takes one write per job that lines up and one per
 * admission; a slot item, its holders'.
 *
 * Order: the line admits roughly in ticket order (jobs near the front race for a freed slot).
 * A job of a key no worker saw contended lately tries the slots before it lines up, and can take
 * a slot that came free ahead of the line; a retried job (its earlier attempt failed) tries them
 * first too. No job waits forever: the front moves with every admission, so every ticket comes
 * near it.
 *
 * What a crash or a lost message does: the slots are leased (a dead holder's slot frees itself
 * when its lease ends), so the limit holds whatever happens to the line. A worker that dies
 * after taking a ticket, before the wait is sent, leaves the ticket unused (the message comes
 * back and takes a new one); one that dies between taking a slot and moving the front leaves
 * the front one short. Either way every later ticket looks one further from the front than it
 * is, which the near window absorbs. A job dropped instead of waiting (cancelled, or a duplicate
 * of a job that is over) gives its ticket back, so a flood of those leaves no gap. Should the
 * front stand still between two looks of a job further back (the jobs near it all gone, or
 * every slot held by long jobs), the job probes the slots with a chance of (4 × limit ÷ its
 * distance)²: fewer than 16 × limit probes a round however long the line. One that gets a slot
 * moves the front.
 *
 * This module is pure: the store keeps tickets and the front (see SlotStore), the message carries
 * a job's {@link LinePlace} from one look to the next.
 */

/** Seconds a job near the front waits between two tries of the slots, at least (a second of jitter is added). */
export const SLOT_RETRY_SECONDS = 2;
/** The longest a waiting job stays away between two looks: SQS's longest delay, in seconds. */
export const MAX_LOOK_SECONDS = 900;
/** Seconds of the line's pace that try the slots besides the limit (see {@link nearFront}). */
export const NEAR_SECONDS = 10;
/** The most tickets past the limit that try the slots on each look. */
export const MAX_NEAR_EXTRA = 1000;
/** Share of the expected wait a far job stays away, so it is back (and near the front) a little early. */
const LOOK_SHARE = 0.5;
/** Each job further back probes a stalled line with a chance of (this × limit ÷ its distance)². */
const PROBERS_PER_SLOT = 4;

/** A waiting job's place in its key's line, carried on its message from one look to the next. */
export interface LinePlace {
  /** Its ticket. */
  readonly ticket: number;
  /** The front as it last saw it move, and when (ms since the epoch): the pace is measured from it. */
  readonly front: number;
  readonly frontAt: number;
  /** Seconds it stayed away last time (a stalled front doubles it). */
  readonly waited: number;
  /** It got a slot from the line already (and moved the front): should it wait again (for a rate-limit turn), it tries the slots at once when back. */
  readonly admitted?: true | undefined;
}

/** What a look at the line tells the job. */
export interface LineLook {
  /** Try the slots now (near the front, or probing a stalled line). */
  readonly tryNow: boolean;
  /** Seconds to stay away, should it not get a slot now. */
  readonly seconds: number;
  /** Its place to carry to the next look. */
  readonly place: LinePlace;
}

export interface LineView {
  readonly ticket: number;
  /** The front now. */
  readonly front: number;
  readonly limit: number;
  readonly now: number;
  /** Its place as the last look left it (undefined on the look that took the ticket). */
  readonly before?: LinePlace | undefined;
  readonly random: () => number;
}

/** Decides one look: try the slots now or not, and how long to stay away otherwise. */
export function lookAtLine(view: LineView): LineLook {
  const { ticket, front, limit, now, before, random } = view;
  const distance = ticket - front;
  const moved = !before || front !== before.front;
  const sample = moved ? { front, frontAt: now } : { front: before.front, frontAt: before.frontAt };
  const retry = SLOT_RETRY_SECONDS + random();
  const place = (seconds: number): LinePlace => ({ ticket, ...sample, waited: seconds });

  const pace = before && front > before.front ? (front - before.front) / Math.max(0.001, (now - before.frontAt) / 1000) : 0;
  const near = nearFront(limit, pace);
  if (distance <= near) return { tryNow: true, seconds: Math.round(retry), place: place(Math.round(retry)) };
  if (!before) return { tryNow: false, seconds: Math.round(retry), place: place(Math.round(retry)) };
  if (pace > 0) {
    // The front should be near this ticket in (distance - near) / pace seconds.
    const seconds = clampLook(LOOK_SHARE * (distance - near) / pace + random());
    return { tryNow: false, seconds, place: place(seconds) };
  }
  // The front has not moved: the slots are held by long jobs, or every job near the front is gone.
  const seconds = clampLook(Math.max(retry, before.waited * 2));
  const stalled = random() < Math.min(1, ((PROBERS_PER_SLOT * limit) / distance) ** 2);
  return { tryNow: stalled, seconds, place: place(seconds) };
}

/**
 * How many tickets past the front try the slots on each look: the limit, and as many more as
 * the line admits in {@link NEAR_SECONDS} at its pace, so that a slot freed is taken within about
 * one retry however short the jobs; at most {@link MAX_NEAR_EXTRA} more, which keeps a slot
 * item's writes from those tries near {@link MAX_NEAR_EXTRA} ÷ {@link SLOT_RETRY_SECONDS} a second.
 */
export function nearFront(limit: number, pace: number): number {
  return limit + Math.min(MAX_NEAR_EXTRA, Math.ceil(pace * NEAR_SECONDS));
}

function clampLook(seconds: number): number {
  return Math.min(MAX_LOOK_SECONDS, Math.max(SLOT_RETRY_SECONDS, Math.round(seconds)));
}

/** Keys this worker saw all slots of held lately: a new job of such a key takes a ticket before it tries a slot, so it does not overtake the line. */
export class ContendedKeys {
  private readonly seen = new Map<string, number>();

  constructor(private readonly forMs = 30_000, private readonly max = 1000) {}

  mark(key: string, now: number): void {
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > this.max) this.seen.delete(this.seen.keys().next().value!);
  }

  has(key: string, now: number): boolean {
    const at = this.seen.get(key);
    return at !== undefined && now - at < this.forMs;
  }
}
