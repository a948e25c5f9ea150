/**
 * A tiny HTTPS server for replaying recorded exchanges: it records each request (method, URL,
 * headers, parsed body) and answers from a script, one scripted reply per request. TLS through a
 * throwaway CA that only the test's agent trusts; `*.localhost` names resolve to loopback.
 */
import { Agent } from "node:https";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import { emulatorLookup } from "../../src/emulator/index.js";
import { generateCertificates } from "../../src/emulator/kernel/certs.js";

export const HOSTS = ["exo.localhost", "contoso-admin.sp.localhost", "contoso.sp.localhost"];

export interface RecordedRequest {
  method: string;
  host: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface ScriptedReply {
  status: number;
  headers?: Record<string, string>;
  /** JSON (serialised), a string as is, or a Buffer as is. */
  body?: unknown;
}

export interface ReplayServer {
  port: number;
  /** `https://{host}:{port}`. */
  origin(host: string): string;
  agent: Agent;
  requests: RecordedRequest[];
  /** Replies for the next requests, in order; a request with none left gets a 599. */
  script(...replies: (ScriptedReply | ((request: RecordedRequest) => ScriptedReply))[]): void;
  close(): Promise<void>;
}

export async function startReplayServer(): Promise<ReplayServer> {
  const certs = await generateCertificates(HOSTS);
  const requests: RecordedRequest[] = [];
  let queue: (ScriptedReply | ((request: RecordedRequest) => ScriptedReply))[] = [];
  const server: Server = createServer({ key: certs.leafKey, cert: certs.leafCert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        // kept as text
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : String(v)]));
      const recorded: RecordedRequest = { method: req.method ?? "", host: (req.headers.host ?? "").replace(/:\d+$/, ""), path: req.url ?? "", headers, body };
      requests.push(recorded);
      const next = queue.shift();
      const reply = typeof next === "function" ? next(recorded) : (next ?? { status: 599, body: { error: { message: "no scripted reply" } } });
      const payload = reply.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(reply.body) ? reply.body : Buffer.from(typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body));
      res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", "content-length": String(payload.length), ...reply.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ ca: certs.caCert, lookup: emulatorLookup as never, keepAlive: true });
  return {
    port,
    origin: (host) => `https://${host}:${port}`,
    agent,
    requests,
    script: (...replies) => {
      queue = [...queue, ...replies];
    },
    close: () => {
      agent.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** A credential that answers a fixed token per scope and records the scopes asked for. */
export class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes.join(" ") : scopes;
    this.scopes.push(scope);
    return { token: `test-token-for ${scope}`, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}
