import type { Caller } from "../kernel/auth.js";
import type { EmulatorCore } from "../kernel/core.js";
import type { VaultRecord } from "../arm/model.js";
import { ServiceError, type EmulatorRequest, type Reply } from "../kernel/http.js";
import type { Route, RouteContext } from "../kernel/router.js";
import { kvErrors } from "./errors.js";
import type { VaultKeysState } from "./model.js";
import { authorizeKeys, type KeyPermission } from "../authz/key-permissions.js";
import { findVault, keysOf, recoveryOf, type Recovery } from "./vault-lookup.js";
import { sweepPending } from "./pending-window.js";

/** Everything a Key Vault handler works with, once the vault, api-version and caller are checked. */
export interface KvContext {
  req: EmulatorRequest;
  params: Record<string, string>;
  caller: Caller;
  core: EmulatorCore;
  vault: VaultRecord;
  keys: VaultKeysState;
  recovery: Recovery;
  apiVersion: string;
  /** Emulator-clock unix seconds at the start of the request. */
  now: number;
  /** Emulator-clock unix milliseconds at the start of the request (for the pending windows). */
  nowMs: number;
  /** `https://{vault}.vault.localhost:{port}`, as the client addressed it: ids must carry the port. */
  origin: string;
}

/** The service version the emulator reports in `x-ms-keyvault-service-version`. */
export const SERVICE_VERSION = "1.9.2679.1";

/** Response headers every vault response carries (contract §6). */
export function vaultHeaders(vault: VaultRecord | undefined): Record<string, string> {
  return {
    expires: "-1",
    "x-ms-keyvault-service-version": SERVICE_VERSION,
    "x-ms-keyvault-network-info": "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;",
    ...(vault ? { "x-ms-keyvault-region": vault.location } : {}),
  };
}

/** The vault name of a vault host (`{vault}.vault.localhost`), as the kernel captured it. */
export function vaultNameOf(_core: EmulatorCore, req: EmulatorRequest): string {
  return req.hostParams["vault"] ?? "";
}

/** 7.x versions and the dated versions from 2025 on, as the service accepts them. */
function checkApiVersion(req: EmulatorRequest): string {
  const version = req.query("api-version");
  if (version === null || version === "") throw kvErrors.missingApiVersion();
  if (!/^(7\.\d+(-preview(\.\d+)?)?|20(2[5-9]|[3-9]\d)-\d\d-\d\d(-preview)?)$/i.test(version)) throw kvErrors.unsupportedApiVersion(version);
  return version;
}

/** Deleted keys whose scheduled purge date has passed on the emulator clock are gone. */
function sweepExpired(core: EmulatorCore, keys: VaultKeysState, now: number): void {
  for (const [name, deleted] of Object.entries(keys.deleted)) {
    if (deleted.scheduledPurgeDate <= now) {
      delete keys.deleted[name];
      core.changed();
    }
  }
}

function openVault(ctx: RouteContext): KvContext {
  const { core, req, caller } = ctx;
  const name = vaultNameOf(core, req);
  const vault = findVault(core, name);
  if (!vault) throw kvErrors.vaultNotFound(name);
  const apiVersion = checkApiVersion(req);
  if (caller.tenantId.toLowerCase() !== vault.properties.tenantId.toLowerCase()) {
    throw new ServiceError(
      401,
      "Unauthorized",
      `AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${vault.properties.tenantId}/, found https://sts.windows.net/${caller.tenantId}/.`,
    );
  }
  const keys = keysOf(core, vault.name);
  const nowMs = core.clock.nowMs();
  const now = Math.floor(nowMs / 1000);
  sweepExpired(core, keys, now);
  sweepPending(core, keys, nowMs);
  return { ...ctx, vault, keys, recovery: recoveryOf(core, vault), apiVersion, now, nowMs, origin: req.origin };
}

/** A Key Vault operation: its route, the permission it needs, and its handler. */
export interface KvOperation {
  method: string;
  path: string;
  operation: string;
  /** Access-policy permission and RBAC data action(s); `null` for operations any caller may use. */
  permission: KeyPermission | null;
  handler: (kv: KvContext) => Promise<Reply> | Reply;
  /** Changes nothing (crypto operations, backup): not counted by `requests.mutating()`. */
  readOnly?: boolean;
}

export function kvRoute(op: KvOperation): Route {
  return {
    method: op.method,
    path: op.path,
    operation: op.operation,
    ...(op.readOnly ? { readOnly: true } : {}),
    handler: async (ctx) => {
      const kv = openVault(ctx);
      if (op.permission) authorizeKeys(kv, op.permission);
      const reply = await op.handler(kv);
      return { ...reply, headers: { ...vaultHeaders(kv.vault), ...reply.headers } };
    },
  };
}

/** The request body as a JSON object; a missing or non-object body is 400 BadParameter. */
export async function bodyOf(kv: KvContext): Promise<Record<string, unknown>> {
  const body = await kv.req.json();
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw kvErrors.badParameter("The request body must be a JSON object.");
  return body as Record<string, unknown>;
}
