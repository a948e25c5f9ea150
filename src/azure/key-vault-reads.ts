/** Key Vault reads shared by the keys, backups and validation modules, each through withRetry. */
import type { OperationTracingOptions } from "@azure/core-tracing";
import type { DeletedKey, KeyProperties, KeyVaultKey } from "@azure/keyvault-keys";
import type { ClientContext } from "../internal/context.js";
import { withRetry } from "../internal/retry.js";
import { statusOf } from "../internal/service-errors.js";

export interface ReadOptions {
  abortSignal?: AbortSignal;
  tracingOptions?: OperationTracingOptions | undefined;
}

/**
 * What an `@azure/*` call takes of an operation's options: the abort signal, and the tracing
 * context runOperation put there, so the Azure SDK's spans nest under the operation's own.
 */
export const azureCallOptions = (options: ReadOptions): { abortSignal?: AbortSignal; tracingOptions?: OperationTracingOptions } => ({
  ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  ...(options.tracingOptions ? { tracingOptions: options.tracingOptions } : {}),
});

async function orUndefined<T>(call: () => Promise<T>): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw error;
  }
}

/** The key (current version, or `version`), or undefined when there is no live key of that name. */
export function getKeyOrUndefined(context: ClientContext, vaultUrl: string, name: string, options: ReadOptions & { version?: string } = {}): Promise<KeyVaultKey | undefined> {
  return orUndefined(() =>
    withRetry("keys.get", () => context.keys(vaultUrl).getKey(name, { ...azureCallOptions(options), ...(options.version ? { version: options.version } : {}) }), context.retryOptions(options)),
  );
}

/** The soft-deleted key of that name, or undefined. */
export function getDeletedKeyOrUndefined(context: ClientContext, vaultUrl: string, name: string, options: ReadOptions = {}): Promise<DeletedKey | undefined> {
  return orUndefined(() => withRetry("keys.getDeleted", () => context.keys(vaultUrl).getDeletedKey(name, azureCallOptions(options)), context.retryOptions(options)));
}

/** Every version's properties, oldest first by creation time. Each page is fetched (and retried) on its own. */
export async function listAllVersions(context: ClientContext, vaultUrl: string, name: string, options: ReadOptions = {}): Promise<KeyProperties[]> {
  const all: KeyProperties[] = [];
  let continuationToken: string | undefined;
  do {
    const token = continuationToken;
    const page = await withRetry(
      "keys.listVersions",
      async () => {
        const next = await context.keys(vaultUrl).listPropertiesOfKeyVersions(name, azureCallOptions(options)).byPage(token ? { continuationToken: token } : {}).next();
        return next.done ? { items: [] as KeyProperties[], continuationToken: undefined } : { items: [...next.value], continuationToken: (next.value as KeyProperties[] & { continuationToken?: string }).continuationToken };
      },
      context.retryOptions(options),
    );
    all.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return all.sort((a, b) => (a.createdOn?.getTime() ?? 0) - (b.createdOn?.getTime() ?? 0));
}
