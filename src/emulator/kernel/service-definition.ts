import type { EmulatorEndpoints } from "../endpoints.js";
import type { EmulatorCore } from "./core.js";
import type { EmulatorRequest, Reply, ServiceError } from "./http.js";
import type { Route } from "./router.js";

/**
 * What a service tells the kernel about itself. The kernel knows no service by name: it routes
 * by these hosts and paths, checks tokens against these audiences and keeps this state.
 */
export interface ServiceDefinition<S = unknown> {
  /** Name in the request log and in fault rules, e.g. `keyvault`. */
  name: string;
  /**
   * Host names the service answers on, without port. A `{label}` placeholder matches one DNS
   * label and hands it to the service as `req.hostParams.label` (e.g. `{vault}.vault.localhost`,
   * `{tenant}-admin.sharepoint.localhost`).
   */
  hosts: readonly string[];
  /**
   * First path segments the service answers on plain `localhost`/127.0.0.1 (e.g. `subscriptions`);
   * `*` takes every path no other service claims.
   */
  localPaths?: readonly string[];
  /** Accepted token audiences (resource URIs without `/.default`); none means every route is anonymous. */
  audiences(endpoints: EmulatorEndpoints): readonly string[];
  /** The service's part of the state file: its key there and how to make it empty. */
  state?: ServiceStateDefinition<S>;
  /** Routes, matched in order (specific paths first). */
  routes: readonly Route[];
  /** Runs once at start, after the state is loaded (e.g. to seed a new emulator). */
  seed?(core: EmulatorCore): void;
  /**
   * Whether `throttle.set(name, …)` can limit it: the kernel then answers an authenticated request
   * over its tenant's budget with 429 and `Retry-After`, in this service's error shape. Default false.
   */
  throttled?: boolean;
  /** Whether its requests count as in flight for `requests.idle()`; default true. */
  countsInFlight?: boolean;
  /** The answer to a request that carries no token (Key Vault's 401 challenge). */
  challenge?(req: EmulatorRequest, core: EmulatorCore): Reply;
  /** Formats an error in this service's shape; defaults to `{error:{code,message}}`. */
  errorReply?(error: ServiceError, req: EmulatorRequest, core: EmulatorCore): Reply;
  /** Headers added to every answer (ARM's correlation id). */
  replyHeaders?(req: EmulatorRequest): Record<string, string>;
}

/** A service's slice of the persisted state. */
export interface ServiceStateDefinition<S> {
  /** Top-level key in the state file; must not clash with the kernel's own keys. */
  key: string;
  /** The state of a new emulator. */
  empty(): S;
  /** Removes secrets from a deep copy for `snapshot()`. */
  redact?(state: S): void;
}

/** Identity for typing a definition with its state type. */
export const defineService = <S>(definition: ServiceDefinition<S>): ServiceDefinition<S> => definition;
