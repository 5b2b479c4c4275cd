import type { CostConfig } from '../config.js';
import { estimateKindCost, type KindCostEstimate } from './estimate-cost.js';
import { NO_TRAFFIC, type KindTrafficSource } from './kind-traffic.js';

/** Every kind's estimated cost over a window, and where the traffic was read. */
export interface KindCostReport {
  readonly since: Date;
  readonly until: Date;
  /** Where the traffic came from, in words. */
  readonly source: string;
  /** Per kind, sorted by name. */
  readonly kinds: readonly KindCostEstimate[];
  /** The kinds' notes, each once: `kinds` names the kinds it is about, or is `all`. */
  readonly notes: readonly KindCostNote[];
}

/** A note of the estimate and the kinds it applies to. */
export interface KindCostNote {
  readonly text: string;
  readonly kinds: readonly string[] | 'all';
}

/** Per lane, its kinds' jobs and cost per day summed. */
export interface LaneCost {
  readonly lane: string;
  readonly jobsPerDay: number;
  readonly dollarsPerDay: number;
  readonly computeDollarsPerDay: number;
}

/** Prices every kind of `cost` at its traffic from `since` to `until`, as `source` reports it. */
export async function kindCosts(cost: CostConfig, source: KindTrafficSource, since: Date, until: Date): Promise<KindCostReport> {
  const traffic = await source.traffic(since, until);
  const windowSeconds = (until.getTime() - since.getTime()) / 1000;
  const kinds = Object.entries(cost.kinds)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, profile]) => estimateKindCost(kind, profile, traffic.get(kind) ?? NO_TRAFFIC, { windowSeconds, workerMemoryMb: cost.workerMemoryMb }));
  return { since, until, source: source.describe, kinds, notes: notesOf(kinds) };
}

/** Each note of `kinds` once, with the kinds it is about (`all` when every kind has it). */
function notesOf(kinds: readonly KindCostEstimate[]): KindCostNote[] {
  const about = new Map<string, string[]>();
  for (const kind of kinds) for (const note of kind.notes) about.set(note, [...(about.get(note) ?? []), kind.kind]);
  return [...about].map(([text, of]) => ({ text, kinds: of.length === kinds.length ? 'all' : of }));
}

/** Each lane's kinds summed. */
export function laneCostsOf(report: KindCostReport): Map<string, LaneCost> {
  const lanes = new Map<string, LaneCost>();
  for (const kind of report.kinds) {
    const sum = lanes.get(kind.lane) ?? { lane: kind.lane, jobsPerDay: 0, dollarsPerDay: 0, computeDollarsPerDay: 0 };
    lanes.set(kind.lane, { lane: kind.lane, jobsPerDay: sum.jobsPerDay + kind.jobsPerDay, dollarsPerDay: sum.dollarsPerDay + kind.dollarsPerDay, computeDollarsPerDay: sum.computeDollarsPerDay + kind.computeDollarsPerDay });
  }
  return lanes;
}
