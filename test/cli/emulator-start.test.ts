import { execFile, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { Agent } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emulatorLookup, MICROSOFT_365_APPS } from "../../src/emulator/index.js";
import { portClosed, readStartupJson } from "./emulator-process.js";

/** A separate Node program that signs in to the emulator's Entra ID and lists subscriptions: no agent, no lookup of its own. */
const CHILD_PROGRAM = `
import { ClientSecretCredential } from "@azure/identity";
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest } from "@azure/core-rest-pipeline";
const [tenantId, appId, secret, authorityHost, resourceManager] = process.argv.slice(1);
const http = createDefaultHttpClient();
// First a plain request, so a name or certificate failure shows as itself (MSAL would wrap it).
const discovery = await http.sendRequest(createPipelineRequest({ url: authorityHost + "/" + tenantId + "/v2.0/.well-known/openid-configuration" }));
const credential = new ClientSecretCredential(tenantId, appId, secret, { authorityHost, disableInstanceDiscovery: true });
const token = await credential.getToken("https://management.azure.com/.default");
// The Azure SDK's own HTTP client, on its default agent: the emulator's Resource Manager.
const response = await http.sendRequest(createPipelineRequest({
  url: resourceManager + "/subscriptions?api-version=2022-12-01",
  headers: createHttpHeaders({ authorization: "Bearer " + token.token }),
}));
console.log(JSON.stringify({ discoveryStatus: discovery.status, token: !!token.token, subscriptionsStatus: response.status }));
`;

function runChild(info: Record<string, any>, env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const exchange = info.servicePrincipals.find((sp: any) => sp.appId === MICROSOFT_365_APPS.exchangeOnline.appId);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--input-type=module", "-e", CHILD_PROGRAM, info.tenantId, exchange.appId, exchange.clientSecret, info.endpoints.authorityHost, info.endpoints.resourceManager],
      { env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("customer-key emulator start", () => {
  const dir = mkdtempSync(join(tmpdir(), "ck-cli-"));
  let child: ReturnType<typeof spawn>;
  let info: Record<string, any>;

  beforeAll(async () => {
    child = spawn(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "emulator", "start", "--state", join(dir, "state.json")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    info = await readStartupJson(child);
  }, 40_000);

  afterAll(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  it("prints its endpoints, pid and how to stop it; another process can sign in", async () => {
    expect(info.pid).toBe(child.pid);
    expect(info.stop).toContain(`kill ${child.pid}`);
    expect(info.tenantId).toMatch(/^[0-9a-f-]{36}$/);
    expect(info.subscriptions).toHaveLength(2);
    // The seeded credentials are printed on purpose, and the JSON says they are emulator-only.
    expect(info.credentialsNote).toMatch(/emulator-only credentials/);
    expect(info.admin.password).toBeTruthy();
    const exchange = info.servicePrincipals.find((sp: any) => sp.appId === MICROSOFT_365_APPS.exchangeOnline.appId);
    const agent = new Agent({ ca: readFileSync(info.caCertificateFile, "utf8"), lookup: emulatorLookup as never });
    const credential = new ClientSecretCredential(info.tenantId, exchange.appId, exchange.clientSecret, {
      authorityHost: info.endpoints.authorityHost,
      disableInstanceDiscovery: true,
      agent,
    });
    const token = await credential.getToken("https://vault.localhost/.default");
    expect(token?.token).toBeTruthy();
    agent.destroy();
  });

  it("a Node child process reaches it with the printed env alone, and not without the preload", async () => {
    const env = info.childProcesses.env as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(["NODE_EXTRA_CA_CERTS", "NODE_OPTIONS"]);
    expect(info.childProcesses.shell).toContain("export NODE_EXTRA_CA_CERTS=");
    expect(info.childProcesses.hostsFile).toContain("127.0.0.1 login.localhost management.localhost graph.localhost outlook.localhost");

    const ok = await runChild(info, env);
    expect(ok.stderr).not.toMatch(/ENOTFOUND|self-signed|unable to verify/i);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout.trim())).toEqual({ discoveryStatus: 200, token: true, subscriptionsStatus: 200 });

    // Without the preload *.localhost does not resolve; without the CA the certificate is refused.
    const noLookup = await runChild(info, { NODE_EXTRA_CA_CERTS: env.NODE_EXTRA_CA_CERTS! });
    expect(noLookup.code).not.toBe(0);
    expect(noLookup.stderr).toMatch(/ENOTFOUND|EAI_AGAIN/);
    const noCa = await runChild(info, { NODE_OPTIONS: env.NODE_OPTIONS! });
    expect(noCa.code).not.toBe(0);
    expect(noCa.stderr).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|unable to verify|certificate/i);
  }, 90_000);

  it("SIGTERM stops it: state saved, port closed, ended by that signal", async () => {
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("exit", (code, signal) => resolve([code, signal])));
    child.kill("SIGTERM");
    expect(await exited).toEqual([null, "SIGTERM"]);
    expect(await portClosed(info.endpoints.port ?? Number(new URL(info.endpoints.resourceManager).port))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, "state.json"), "utf8")).tenantId ?? info.tenantId).toBe(info.tenantId);
  });
});
