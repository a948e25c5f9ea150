import { request } from "node:https";
import type { Emulator } from "../../../src/emulator/index.js";
import { createTestVault, keyClient } from "./vaults.js";

/** The answer of one HTTPS call: status, headers, and the body parsed as JSON when it is JSON. */
export interface ExoReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  raw: Buffer;
  body: any;
}

/** A bare HTTPS POST through the emulator's agent (TLS verified against its CA); no client transport exists yet. */
export function post(emulator: Emulator, url: string, token: string, body: unknown, headers: Record<string, string> = {}): Promise<ExoReply> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: "POST",
      agent: emulator.clientOptions().agent,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json", "content-length": String(payload.length), ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks);
        let parsed: unknown;
        try {
          parsed = raw.length > 0 && /json/.test(String(res.headers["content-type"])) ? JSON.parse(raw.toString("utf8")) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, raw, body: parsed });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

export const EXCHANGE_SCOPE = "https://outlook.office365.com/.default";

/** An InvokeCommand client for one principal (UPN or app id), with a token from `credentialFor`. */
export async function exchangeClient(emulator: Emulator, principal = emulator.admin.userPrincipalName, tenantSegment = emulator.tenantId) {
  const token = (await emulator.credentialFor(principal).getToken(EXCHANGE_SCOPE))!.token;
  const base = `${emulator.endpoints.exchange}/adminapi/beta/${tenantSegment}`;
  const invoke = (cmdlet: string, parameters: Record<string, unknown> = {}, options: { url?: string; headers?: Record<string, string> } = {}) =>
    post(emulator, options.url ?? `${base}/InvokeCommand`, token, { CmdletInput: { CmdletName: cmdlet, Parameters: parameters } }, { "X-CmdletName": cmdlet, "X-ResponseFormat": "json", ...options.headers });
  return {
    token,
    base,
    invoke,
    /** Invokes and asserts a 200, returning the body. */
    async ok(cmdlet: string, parameters: Record<string, unknown> = {}, options: { headers?: Record<string, string> } = {}) {
      const reply = await invoke(cmdlet, parameters, options);
      if (reply.status !== 200) throw new Error(`${cmdlet} answered ${reply.status}: ${reply.raw.toString("utf8").slice(0, 600)}`);
      return reply.body;
    },
    batch: (requests: unknown[], headers: Record<string, string> = {}) => post(emulator, `${base}/$batch`, token, { requests }, headers),
  };
}

/** The text of an error body's `details[0].message`: `<ErrorId>|<class>|<text>`. */
export function errorDetail(reply: ExoReply): { errorId: string; exceptionClass: string; text: string } {
  const [errorId, exceptionClass, ...text] = String(reply.body?.error?.details?.[0]?.message ?? "").split("|");
  return { errorId: errorId!, exceptionClass: exceptionClass!, text: text.join("|") };
}

/** Two vaults with one RSA key each, the Exchange Online (and data-at-rest) principal granted get/wrapKey/unwrapKey. */
export async function customerKeyVaults(emulator: Emulator, names: [string, string] = ["kv-exo-a", "kv-exo-b"], options: { grant?: boolean } = {}) {
  const exchange = emulator.directory.findServicePrincipal("00000002-0000-0ff1-ce00-000000000000")!;
  const dataAtRest = emulator.directory.findServicePrincipal("c066d759-24ae-40e7-a56f-027002b5d3e4")!;
  const servicePolicies = options.grant === false ? [] : [exchange, dataAtRest].map((sp) => ({ objectId: sp.objectId, keys: ["get", "wrapKey", "unwrapKey"] }));
  const keyIds: string[] = [];
  for (const [i, name] of names.entries()) {
    createTestVault(emulator, { name, subscriptionId: emulator.subscriptionIds[i]!, purgeProtection: true, location: i === 0 ? "westeurope" : "northeurope", accessPolicies: [{ objectId: emulator.admin.objectId, keys: ["all"] }, ...servicePolicies] });
    await keyClient(emulator, name).createRsaKey("cmk", { keySize: 2048, keyOps: ["wrapKey", "unwrapKey"] });
    // Versionless, as Microsoft's own examples pass them: the service uses the current version.
    keyIds.push(`${emulator.endpoints.vaultUrl(name)}/keys/cmk`);
  }
  return { keyIds, exchange, dataAtRest };
}

/** Removes every access policy entry of a principal from a vault (revocation). */
export function revoke(emulator: Emulator, vaultName: string, objectId: string): void {
  emulator.withLiveState((s) => {
    const vault = s.arm.vaults[vaultName.toLowerCase()]!;
    vault.properties.accessPolicies = vault.properties.accessPolicies.filter((p) => p.objectId !== objectId);
  });
}
