/** PagedAsyncIterableIterators (Azure SDK convention): over pages fetched by continuation token, or one whole list. */
import type { PagedAsyncIterableIterator, PageSettings } from "@azure/keyvault-keys";

export type { PagedAsyncIterableIterator, PageSettings };

export interface Page<T> {
  items: T[];
  continuationToken: string | undefined;
}

export function pagedIterator<T>(fetchPage: (continuationToken: string | undefined) => Promise<Page<T>>): PagedAsyncIterableIterator<T, T[], PageSettings> {
  async function* pages(settings: PageSettings = {}): AsyncIterableIterator<T[]> {
    let token = settings.continuationToken;
    do {
      const page = await fetchPage(token);
      token = page.continuationToken;
      yield Object.assign([...page.items], { continuationToken: token });
    } while (token);
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
    byPage: (settings?: PageSettings) => pages(settings),
  };
}

/** Over a list one request returns whole (Exchange's Get-* cmdlets page inside the transport). */
export function singlePage<T>(fetch: () => Promise<T[]>): PagedAsyncIterableIterator<T, T[], PageSettings> {
  return pagedIterator(async () => ({ items: await fetch(), continuationToken: undefined }));
}
