/** The keys of T whose values are functions returning a promise. */
export type AsyncMethodsOf<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never }[keyof T];

/**
 * Stands in for an object that is loaded on the first call of one of its `methods`: the SQS
 * transport and the Scheduler, with their SDK clients, whose modules a worker then does not
 * evaluate at its cold start unless a job sends or schedules (BENCHMARKS.md, section 6). The
 * load runs once; if it fails, the call fails and the next call loads again.
 */
export function onFirstCall<T, K extends AsyncMethodsOf<T>>(load: () => Promise<T>, methods: readonly K[]): Pick<T, K> {
  let loading: Promise<T> | undefined;
  const loaded = () => (loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
  const stand = {} as Record<K, (...args: unknown[]) => Promise<unknown>>;
  for (const method of methods) {
    stand[method] = async (...args: unknown[]) => {
      const target = await loaded();
      return (target[method] as (...args: unknown[]) => Promise<unknown>).apply(target, args);
    };
  }
  return stand as unknown as Pick<T, K>;
}
