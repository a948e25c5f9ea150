import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulatorWith, type Emulator } from "../../src/emulator/emulator.js";
import { HostResolver } from "../../src/emulator/kernel/host-resolver.js";
import { EmulatorRequest } from "../../src/emulator/kernel/http.js";
import { defineService } from "../../src/emulator/kernel/service-definition.js";
import { SERVICES } from "../../src/emulator/registry.js";
import { rawRequest } from "../conformance/helpers/raw.js";
import { ECHO_AUDIENCE, echoService, type EchoState } from "./helpers/echo-service.js";

const tokenFor = async (emulator: Emulator, audience: string) =>
  (await emulator.credentialFor(emulator.admin.userPrincipalName).getToken(`${audience}/.default`))!.token;

describe("a service added as a definition, without touching the kernel", () => {
  let emulator: Emulator;
  let stateFile: string;
  const echoUrl = (host = "echo.localhost") => `https://${host}:${emulator.endpoints.port}/messages`;

  beforeAll(async () => {
    stateFile = join(mkdtempSync(join(tmpdir(), "ck-echo-")), "state.json");
    emulator = await startEmulatorWith([...SERVICES, echoService], { stateFile });
  });
  afterAll(() => emulator?.stop());

  it("serves its host over HTTPS to a token for its audience, and keeps its state in the state file", async () => {
    const token = await tokenFor(emulator, ECHO_AUDIENCE);
    const posted = await rawRequest(emulator, { method: "POST", url: echoUrl(), token, body: "hello" });
    expect(posted.status).toBe(201);
    expect(posted.body).toEqual({ text: "hello", from: emulator.admin.objectId });
    const file = JSON.parse(readFileSync(stateFile, "utf8")) as { echo: EchoState };
    expect(file.echo.messages).toEqual([{ text: "hello", from: emulator.admin.objectId }]);
    expect(emulator.requests.list({ service: "echo", operation: "Echo_Post" })).toHaveLength(1);
  });

  it("hands the label its host pattern captured to the service", async () => {
    const token = await tokenFor(emulator, ECHO_AUDIENCE);
    const posted = await rawRequest(emulator, { method: "POST", url: echoUrl("contoso-admin.echo.localhost"), token, body: "tenant" });
    expect(posted.body.tenant).toBe("contoso");
    const listed = await rawRequest(emulator, { method: "GET", url: echoUrl("fabrikam-admin.echo.localhost"), token });
    expect(listed.body.host).toEqual({ tenant: "fabrikam" });
  });

  it("refuses a token for another service's audience, and a request without one", async () => {
    const vaultToken = await tokenFor(emulator, "https://vault.azure.net");
    const refused = await rawRequest(emulator, { method: "GET", url: echoUrl(), token: vaultToken });
    expect(refused.status).toBe(401);
    expect(refused.body.error.message).toContain("invalid audience");
    expect((await rawRequest(emulator, { method: "GET", url: echoUrl() })).status).toBe(401);
    // And the other services refuse the echo audience in turn.
    const echoToken = await tokenFor(emulator, ECHO_AUDIENCE);
    const arm = await rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.resourceManager}/subscriptions?api-version=2022-12-01`, token: echoToken });
    expect(arm.status).toBe(401);
  });

  it("starts again from the file with the service's state, and the built-in services unchanged", async () => {
    await emulator.stop();
    emulator = await startEmulatorWith([...SERVICES, echoService], { stateFile });
    const token = await tokenFor(emulator, ECHO_AUDIENCE);
    const listed = await rawRequest(emulator, { method: "GET", url: echoUrl(), token });
    expect(listed.body.value.map((m: { text: string }) => m.text)).toEqual(["hello", "tenant"]);
    expect(emulator.subscriptionIds).toHaveLength(2);
  });
});

describe("host resolution from the services' declarations", () => {
  const service = (name: string, hosts: string[], localPaths?: string[]) =>
    defineService({ name, hosts, ...(localPaths ? { localPaths } : {}), audiences: () => [], routes: [] });
  const requestFor = (host: string, path = "/") =>
    new EmulatorRequest({ method: "GET", url: path, headers: { host: `${host}:443` } } as never, 443);

  it("matches exact hosts, patterns with a captured label, localhost paths and a catch-all", () => {
    const resolver = new HostResolver();
    const exchange = service("exchange", ["outlook.localhost"], ["adminapi"]);
    const sharePoint = service("sharepoint", ["{tenant}-admin.sharepoint.localhost"]);
    const fallback = service("identity", ["login.localhost"], ["*"]);
    for (const s of [exchange, sharePoint, fallback]) resolver.add(s);
    expect(resolver.resolve(requestFor("outlook.localhost"))?.service).toBe(exchange);
    expect(resolver.resolve(requestFor("contoso-admin.sharepoint.localhost"))).toEqual({ service: sharePoint, hostParams: { tenant: "contoso" } });
    expect(resolver.resolve(requestFor("my-org-admin.sharepoint.localhost"))?.hostParams).toEqual({ tenant: "my-org" });
    expect(resolver.resolve(requestFor("contoso.sharepoint.localhost"))).toBeUndefined();
    expect(resolver.resolve(requestFor("localhost", "/adminapi/beta/x"))?.service).toBe(exchange);
    expect(resolver.resolve(requestFor("127.0.0.1", "/tenant/oauth2/v2.0/token"))?.service).toBe(fallback);
    expect(resolver.resolve(requestFor("unknown.localhost"))).toBeUndefined();
  });

  it("refuses two services claiming one host", () => {
    const resolver = new HostResolver();
    resolver.add(service("a", ["outlook.localhost"]));
    expect(() => resolver.add(service("b", ["outlook.localhost"]))).toThrow(/both claim 'outlook.localhost'/);
  });

  it("refuses a service state key that is the kernel's", async () => {
    const bad = defineService({ ...echoService, name: "bad", hosts: ["bad.localhost"], state: { key: "directory", empty: () => ({ messages: [] }) } });
    await expect(startEmulatorWith([...SERVICES, bad])).rejects.toThrow(/kernel's key 'directory'/);
  });
});
