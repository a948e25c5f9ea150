/**
 * The audit trail: one JSON line per change (who, what, target, before, after, when, request id).
 * `who` is read from the credential's token claims (upn, app id, object id); the token itself,
 * secrets and key material are never written: values pass through `scrub` first.
 */
import { appendFile } from "node:fs/promises";
import type { TokenCredential } from "@azure/core-auth";

import type { AuditOptions } from "../internal/context.js";

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
  /** The state after. */
  after: unknown;
  /** The service's request id, when known. */
  requestId?: string | undefined;
}

const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const SECRET_KEYS = /^(token|accesstoken|access_token|secret|clientsecret|password|key_ops_material|value|backup|bytes|d|p|q|dp|dq|qi|k|n|authorization)$/i;

/** Drops fields that can hold secrets or key material and masks anything shaped like a JWT. */
export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return value.replace(JWT, "[jwt removed]");
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

export class AuditTrail {
  #who: Promise<AuditRecord["who"]> | undefined;
  constructor(readonly options: AuditOptions | undefined, readonly credential: TokenCredential, readonly scope: string) {}

  get enabled(): boolean {
    return this.options !== undefined;
  }

  async record(entry: Omit<AuditRecord, "at" | "who">): Promise<void> {
    if (!this.options) return;
    this.#who ??= principalOf(this.credential, this.scope);
    const record: AuditRecord = { at: new Date().toISOString(), who: await this.#who, what: entry.what, target: entry.target, before: scrub(entry.before), after: scrub(entry.after), ...(entry.requestId ? { requestId: entry.requestId } : {}) };
    const line = JSON.stringify(record);
    if ("file" in this.options) await appendFile(this.options.file, `${line}\n`, { mode: 0o600 });
    else await this.options.write(line);
  }
}
