/** Raw HTTPS requests to the emulator for conformance checks (TLS verified through the emulator's agent). */
import { request } from "node:https";
import type { Emulator } from "../../../src/emulator/index.js";

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** The parsed JSON body, or undefined when the body is empty or not JSON. */
  body: any;
}

export interface RawRequest {
  method: string;
  url: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function rawRequest(emulator: Emulator, options: RawRequest): Promise<RawResponse> {
  const payload = options.body === undefined ? undefined : Buffer.from(typeof options.body === "string" ? options.body : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const req = request(
      options.url,
      {
        method: options.method,
        agent: emulator.clientOptions().agent,
        headers: {
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          ...(payload ? { "content-type": "application/json", "content-length": String(payload.length) } : {}),
          ...options.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let body: unknown;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** A bearer token for a principal of the emulated directory. */
export async function tokenFor(emulator: Emulator, principal: string, scope = "https://management.azure.com/.default"): Promise<string> {
  const token = await emulator.credentialFor(principal).getToken(scope);
  if (!token) throw new Error(`No token for ${principal}.`);
  return token.token;
}

/** Sends an ARM request as a principal; `path` is relative to the ARM endpoint and should carry api-version. */
export async function arm(emulator: Emulator, token: string, method: string, path: string, body?: unknown): Promise<RawResponse> {
  return rawRequest(emulator, { method, url: `${emulator.endpoints.resourceManager}${path}`, token, ...(body !== undefined ? { body } : {}) });
}
