/** A PagedAsyncIterableIterator (Azure SDK convention) over a list one request returns whole. */
import type { PagedAsyncIterableIterator, PageSettings } from "@azure/keyvault-keys";

export function singlePage<T>(fetch: () => Promise<T[]>): PagedAsyncIterableIterator<T, T[], PageSettings> {
  async function* pages(): AsyncIterableIterator<T[]> {
    yield await fetch();
  }
  async function* items(): AsyncIterableIterator<T> {
    for await (const page of pages()) yield* page;
  }
  const iterator = items();
  return {
    next: () => iterator.next(),
    [Symbol.asyncIterator]() {
      return this;
    },
    byPage: () => pages(),
  };
}
