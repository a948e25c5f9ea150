/**
 * Microsoft Graph application permissions in the emulator: `directory.grantApplicationPermission`
 * (an administrator's consent) puts the permission in the `roles` claim of the application's Graph
 * tokens, and Graph's `sites/getAllSites` answers an application only with Sites.Read.All (or a
 * permission including it) there: not a user, not an application holding a directory role instead.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator, type Emulator } from "../../src/emulator/index.js";
import { rawRequest, tokenFor } from "../conformance/helpers/raw.js";

const GRAPH = "https://graph.microsoft.com/.default";
const dir = mkdtempSync(join(tmpdir(), "ck-graph-perms-"));
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString("utf8")) as Record<string, unknown>;
const getAllSites = (token: string, query = "") => rawRequest(emulator, { method: "GET", url: `${emulator.endpoints.graph}/v1.0/sites/getAllSites${query}`, token });
const newApp = (name: string) => emulator.directory.createServicePrincipal({ displayName: name });

describe("Graph application permissions", () => {
  it("granted Sites.Read.All: the Graph token carries it in roles and getAllSites answers 200, page by page", async () => {
    emulator.sharePoint.createSite({ name: "granted-a" });
    emulator.sharePoint.createSite({ name: "granted-b" });
    const app = newApp("ck-granted");
    emulator.directory.grantApplicationPermission(app.objectId, "Sites.Read.All");
    emulator.directory.grantApplicationPermission(app.objectId, "Sites.Read.All"); // a second grant is a no-op
    expect(emulator.directory.applicationPermissionsOf(app.objectId)).toEqual(["Sites.Read.All"]);
    const token = await tokenFor(emulator, app.appId, GRAPH);
    expect(claimsOf(token)).toMatchObject({ idtyp: "app", roles: ["Sites.Read.All"] });
    // Only Graph's tokens carry Graph's permissions.
    expect(claimsOf(await tokenFor(emulator, app.appId))).not.toHaveProperty("roles");

    const names: string[] = [];
    let url: string | undefined = `${emulator.endpoints.graph}/v1.0/sites/getAllSites?$select=webUrl&$top=1`;
    let pages = 0;
    while (url) {
      const page = await rawRequest(emulator, { method: "GET", url, token });
      expect(page.status).toBe(200);
      names.push(...(page.body.value as { webUrl: string }[]).map((s) => s.webUrl));
      url = page.body["@odata.nextLink"];
      pages++;
    }
    expect(names).toEqual(emulator.sharePoint.sites().map((s) => s.url));
    expect(pages).toBe(emulator.sharePoint.sites().length);
  });

  it("Sites.ReadWrite.All and Sites.FullControl.All include reading", async () => {
    for (const permission of ["Sites.ReadWrite.All", "Sites.FullControl.All"] as const) {
      const app = newApp(`ck-${permission}`);
      emulator.directory.grantApplicationPermission(app.objectId, permission);
      expect((await getAllSites(await tokenFor(emulator, app.appId, GRAPH))).status).toBe(200);
    }
  });

  it("not granted: 403 accessDenied, also for an application holding SharePoint or Global Administrator", async () => {
    const plain = newApp("ck-plain");
    const token = await tokenFor(emulator, plain.appId, GRAPH);
    expect(claimsOf(token)).not.toHaveProperty("roles");
    const denied = await getAllSites(token);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "accessDenied", message: "Access denied" });
    for (const role of ["SharePoint Administrator", "Global Administrator"] as const) {
      const admin = newApp(`ck-${role}`);
      emulator.directory.assignDirectoryRole(admin.objectId, role);
      expect((await getAllSites(await tokenFor(emulator, admin.appId, GRAPH))).status).toBe(403);
    }
  });

  it("a user (the seeded Global Administrator) gets 403: Graph's permission is application-only", async () => {
    const denied = await getAllSites(await tokenFor(emulator, emulator.admin.userPrincipalName, GRAPH));
    expect(denied.status).toBe(403);
    expect(denied.body.error).toMatchObject({ code: "accessDenied" });
    expect(() => emulator.directory.grantApplicationPermission(emulator.admin.objectId, "Sites.Read.All")).toThrow(/No service principal/);
  });

  it("revoked: the next token has no roles and is refused; unknown permissions and principals throw", async () => {
    const app = newApp("ck-revoked");
    emulator.directory.grantApplicationPermission(app.objectId, "Sites.Read.All");
    emulator.directory.revokeApplicationPermission(app.objectId, "Sites.Read.All");
    emulator.directory.revokeApplicationPermission(app.objectId, "Sites.Read.All"); // a no-op
    expect(emulator.directory.applicationPermissionsOf(app.objectId)).toEqual([]);
    expect((await getAllSites(await tokenFor(emulator, app.appId, GRAPH))).status).toBe(403);
    expect(() => emulator.directory.grantApplicationPermission(app.objectId, "Sites.Write.Everything" as never)).toThrow(/Unknown Microsoft Graph application permission/);
    expect(() => emulator.directory.grantApplicationPermission(app.appId, "Sites.Read.All")).toThrow(/No service principal/);
  });

  it("keeps grants in the state file across a restart", async () => {
    const stateFile = join(dir, "state.json");
    const first = await startEmulator({ stateFile });
    const app = first.directory.createServicePrincipal({ displayName: "ck-persisted" });
    first.directory.grantApplicationPermission(app.objectId, "Sites.Read.All");
    await first.stop();
    const second = await startEmulator({ stateFile });
    try {
      expect(second.directory.applicationPermissionsOf(app.objectId)).toEqual(["Sites.Read.All"]);
    } finally {
      await second.stop();
    }
  });
});
