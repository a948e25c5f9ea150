import { throwIfAborted } from "./abort.js";

/**
 * Runs `task` over `items` with at most `limit` in flight, keeping the input order in the
 * results. Stops starting new tasks once the signal fires.
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
  options: { abortSignal?: AbortSignal; operation?: string } = {},
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      throwIfAborted(options.abortSignal, options.operation ?? "bulk operation");
      const index = next++;
      results[index] = await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
