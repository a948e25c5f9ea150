/**
 * The audit trail: one JSON line per change the SDK makes (who, what, target, before, after, when,
 * and the service's request id). Opt-in through the client's `audit` option; every module gets the
 * client's one trail through the ClientContext.
 *
 * Only changes actually made are written: an idempotent call that finds everything in place writes
 * nothing (the second run of a set-up leaves the trail as it was).
 *
 * The request id: a pipeline policy (added to every Azure client and REST transport the client
 * builds, only when the trail is on) reads the id the service answered with into the
 * AsyncLocalStorage scope that `change()` opens around the request(s) of one change. A transport
 * the user brings does not pass through it: its lines carry no `requestId`.
 *
 * `who` is read from the credential's token claims (upn or app id, object id, tenant); the token
 * itself is never kept. Values pass through `scrub`, which drops fields that can hold secrets or key
 * material and masks anything shaped like a JWT.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { appendFile } from "node:fs/promises";
import type { TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy } from "@azure/core-rest-pipeline";

/**
 * Where audit lines go: appended to `file` (created with mode 0600), or handed to `write`
 * (one JSON line each, no trailing newline). Lines are written in the order the changes finished.
 * A line that cannot be written (a full disk, a `write` that throws) fails the operation that made
 * the change, after the change: the caller learns the trail is missing a line.
 */
export type AuditOptions = { file: string } | { write(line: string): void | Promise<void> };

/** One change, as written to the audit trail. */
export interface AuditRecord {
  /** ISO time of the change. */
  at: string;
  /** The principal: `upn` or `appId`, and the object id, from the token's claims. */
  who: { name?: string | undefined; objectId?: string | undefined; tenantId?: string | undefined };
  /** The operation, e.g. `keys.create`. */
  what: string;
  /** What it changed, e.g. a vault or key URI. */
  target: string;
  /** The state before (null when it did not exist). */
  before: unknown;
  /** The state after (null when it no longer exists). */
  after: unknown;
  /** The service's request id of the request that made the change, when the service sent one. */
  requestId?: string | undefined;
}

/** What a module tells the trail about one change; `at`, `who` and `requestId` are filled in. */
export interface AuditEntry {
  what: string;
  target: string;
  before: unknown;
  after: unknown;
}

const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SECRET_KEYS = /^(token|accesstoken|access_token|secret|clientsecret|client_secret|password|key_ops_material|value|backup|bytes|blob|d|p|q|dp|dq|qi|k|n|authorization)$/i;

/** Drops fields that can hold secrets or key material and masks anything shaped like a JWT. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(JWT, "[jwt removed]");
  if (value instanceof Date) return value.toISOString();
  if (value === null || typeof value !== "object" || depth > 6) return value;
  if (value instanceof Uint8Array) return `[${value.byteLength} bytes removed]`;
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? "[removed]" : scrub(v, depth + 1);
  return out;
}

/** Reads the principal from a token's claims (never keeps the token). */
export async function principalOf(credential: TokenCredential, scope: string): Promise<AuditRecord["who"]> {
  try {
    const token = await credential.getToken(scope);
    const payload = token?.token.split(".")[1];
    if (!payload) return {};
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>;
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    return { name: str(claims["upn"]) ?? str(claims["unique_name"]) ?? str(claims["appid"]) ?? str(claims["azp"]), objectId: str(claims["oid"]), tenantId: str(claims["tid"]) };
  } catch {
    return {};
  }
}

/**
 * Response headers that carry the service's request id, most specific first: Key Vault and ARM
 * answer `x-ms-request-id` (ARM also `x-ms-correlation-request-id`), Graph, Exchange Online and
 * SharePoint `request-id`; `client-request-id` is the caller's own id echoed, the last resort.
 */
export const REQUEST_ID_HEADERS = ["x-ms-request-id", "request-id", "x-ms-correlation-request-id", "client-request-id"] as const;

/** The request id of a response, or undefined. */
export function requestIdOf(headers: { get(name: string): string | undefined }): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value;
  }
  return undefined;
}

interface RequestIdScope {
  /** Accepted requests sent inside the scope, oldest first. */
  requests: { method: string; requestId: string }[];
}

const scopes = new AsyncLocalStorage<RequestIdScope>();

/** Reads the request id of every accepted response sent inside an audit scope (outside one it does nothing). */
export const auditRequestIdPolicy: PipelinePolicy = {
  name: "customerKeyAuditRequestId",
  async sendRequest(request, next) {
    const response = await next(request);
    const scope = scopes.getStore();
    if (scope && response.status < 400) {
      const requestId = requestIdOf(response.headers);
      if (requestId) scope.requests.push({ method: request.method, requestId });
    }
    return response;
  },
};

/**
 * The id of the request that made the change: the last write (any method but GET and HEAD) in the
 * scope, else the last request (an Exchange cmdlet is a POST whatever it does; the scope holds the
 * one that changes something).
 */
function changeRequestId(scope: RequestIdScope): string | undefined {
  const writes = scope.requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
  return (writes.at(-1) ?? scope.requests.at(-1))?.requestId;
}

/** Returned by `change()`'s `after` when the call turned out to change nothing: no line is written. */
export const UNCHANGED: unique symbol = Symbol("customer-key.audit.unchanged");

/** The client's audit trail (one per client, on the ClientContext). */
export class AuditTrail {
  #who: Promise<AuditRecord["who"]> | undefined;
  /** Lines go out one after another, in the order the changes finished. */
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly options: AuditOptions | undefined,
    readonly credential: TokenCredential,
    readonly scope: string,
  ) {}

  get enabled(): boolean {
    return this.options !== undefined;
  }

  /**
   * Runs `act`, the request(s) of one change, and writes one line for it with the request id of
   * the write it sent. `after` maps act's result to the state after (it may read it: its requests
   * are outside the scope), or to UNCHANGED when act found the change already made (no line then).
   * A failing act writes nothing. With the trail off, `after` is not called.
   */
  async change<T>(entry: Omit<AuditEntry, "after">, act: () => Promise<T>, after: (result: T) => unknown): Promise<T> {
    if (!this.options) return act();
    const scope: RequestIdScope = { requests: [] };
    const result = await scopes.run(scope, act);
    const state = await after(result);
    if (state !== UNCHANGED) await this.record({ ...entry, after: state }, changeRequestId(scope));
    return result;
  }

  /** Writes one line for a change made without a service request of its own (a file written, say). */
  async record(entry: AuditEntry, requestId?: string): Promise<void> {
    const options = this.options;
    if (!options) return;
    this.#who ??= principalOf(this.credential, this.scope);
    const record: AuditRecord = {
      at: new Date().toISOString(),
      who: await this.#who,
      what: entry.what,
      target: entry.target,
      before: scrub(entry.before ?? null),
      after: scrub(entry.after ?? null),
      ...(requestId ? { requestId } : {}),
    };
    const line = JSON.stringify(record);
    const write = this.#queue.then(() => ("file" in options ? appendFile(options.file, `${line}\n`, { mode: 0o600 }) : options.write(line)));
    this.#queue = write.catch(() => undefined);
    await write;
  }
}
