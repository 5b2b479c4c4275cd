import type { DebounceStore } from './debounce-store.js';
import type { RateStore } from './rate-store.js';
import type { SlotStore } from './slot-store.js';

/** Where flow control keeps its shared state: only kinds that declare a limit or debounce use it. */
export interface FlowControlStores {
  readonly slots: SlotStore;
  readonly rates: RateStore;
  readonly debounces: DebounceStore;
}
