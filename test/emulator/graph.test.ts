import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MICROSOFT_365_APPS, startEmulator, type Emulator } from "../../src/emulator/index.js";
import { graphClient } from "../conformance/helpers/graph-client.js";
import { rawRequest, tokenFor } from "../conformance/helpers/raw.js";
import type { Client } from "@microsoft/microsoft-graph-client";

let emulator: Emulator;
let graph: Client;
beforeAll(async () => {
  emulator = await startEmulator();
  graph = graphClient(emulator.endpoints.graph, emulator.credentialFor(emulator.admin.userPrincipalName), emulator.clientOptions().agent);
});
afterAll(() => emulator?.stop());

describe("emulated Microsoft Graph through @microsoft/microsoft-graph-client", () => {
  it("reads the organization", async () => {
    const org = await graph.api("/organization").select("id,displayName,verifiedDomains").get();
    expect(org.value).toEqual([
      {
        id: emulator.tenantId,
        displayName: "Contoso",
        verifiedDomains: [expect.objectContaining({ name: "contoso.onmicrosoft.com", isDefault: true, isInitial: true })],
      },
    ]);
  });

  it("finds users by UPN, id and filter, and answers 404 in Graph's shape", async () => {
    const byUpn = await graph.api(`/users/${emulator.admin.userPrincipalName}`).select("id,userPrincipalName").get();
    expect(byUpn).toMatchObject({ id: emulator.admin.objectId, userPrincipalName: emulator.admin.userPrincipalName });
    expect(byUpn.displayName).toBeUndefined();
    const byId = await graph.api(`/users/${emulator.admin.objectId}`).get();
    expect(byId.displayName).toBe("Contoso Admin");
    const filtered = await graph.api("/users").filter(`userPrincipalName eq '${emulator.admin.userPrincipalName.toUpperCase()}'`).get();
    expect(filtered.value.map((u: { id: string }) => u.id)).toEqual([emulator.admin.objectId]);
    const error = await graph.api("/users/nobody@contoso.onmicrosoft.com").get().catch((e: unknown) => e);
    expect(error).toMatchObject({ statusCode: 404, code: "Request_ResourceNotFound" });
    const me = await graph.api("/me").get();
    expect(me.id).toBe(emulator.admin.objectId);
  });

  it("finds the Microsoft 365 service principals by appId", async () => {
    const result = await graph.api("/servicePrincipals").filter(`appId eq '${MICROSOFT_365_APPS.exchangeOnline.appId}'`).get();
    expect(result.value).toHaveLength(1);
    expect(result.value[0]).toMatchObject({
      appId: MICROSOFT_365_APPS.exchangeOnline.appId,
      displayName: "Office 365 Exchange Online",
      servicePrincipalType: "Application",
      accountEnabled: true,
      appOwnerOrganizationId: "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
    });
    const byId = await graph.api(`/servicePrincipals/${result.value[0].id}`).get();
    expect(byId.appId).toBe(MICROSOFT_365_APPS.exchangeOnline.appId);
    const none = await graph.api("/servicePrincipals").filter("appId eq '11111111-1111-1111-1111-111111111111'").get();
    expect(none.value).toEqual([]);
  });

  it("re-creates a missing first-party service principal", async () => {
    const sp = emulator.directory.findServicePrincipal(MICROSOFT_365_APPS.dataAtRestEncryption.appId)!;
    emulator.directory.remove(sp.objectId);
    const created = await graph.api("/servicePrincipals").post({ appId: MICROSOFT_365_APPS.dataAtRestEncryption.appId });
    expect(created).toMatchObject({ appId: MICROSOFT_365_APPS.dataAtRestEncryption.appId, displayName: "M365DataAtRestEncryption" });
    await expect(graph.api("/servicePrincipals").post({ appId: MICROSOFT_365_APPS.dataAtRestEncryption.appId })).rejects.toMatchObject({ statusCode: 409 });
  });

  it("reads groups and their members", async () => {
    const spn = emulator.directory.createServicePrincipal({ displayName: "ck-member" });
    const g = emulator.directory.createGroup({ displayName: "ck-admins", members: [emulator.admin.objectId, spn.objectId] });
    expect((await graph.api(`/groups/${g.objectId}`).get()).displayName).toBe("ck-admins");
    const members = await graph.api(`/groups/${g.objectId}/members`).get();
    expect(members.value.map((m: Record<string, string>) => m["@odata.type"])).toEqual(["#microsoft.graph.user", "#microsoft.graph.servicePrincipal"]);
  });

  it("refuses tokens for another audience, with Graph's error shape", async () => {
    const token = await tokenFor(emulator, emulator.admin.userPrincipalName, "https://management.azure.com/.default");
    const res = await rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.graph}/v1.0/organization`, token, headers: { "client-request-id": "abc" } });
    expect(res.status).toBe(401);
    expect(res.body.error).toMatchObject({ code: "InvalidAuthenticationToken", innerError: { "client-request-id": "abc" } });
    expect(res.body.error.innerError["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
