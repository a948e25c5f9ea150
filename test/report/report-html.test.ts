/** toHtml() without a browser: escaping of every tenant string, the CSP, and the layered layout of the topology. */
import { describe, expect, it } from "vitest";
import { PreflightReport, type PreflightCheck, type PreflightTopology } from "../../src/index.js";
import { escapeHtml } from "../../src/preflight/report-html.js";
import { layoutTopology, NODE_HEIGHT, NODE_WIDTH } from "../../src/preflight/topology-layout.js";

const SUB_A = "11111111-1111-1111-1111-111111111111";
const SUB_B = "22222222-2222-2222-2222-222222222222";
const V1 = "0123456789abcdef0123456789abcdef";
const V2 = "fedcba9876543210fedcba9876543210";
const EVIL = `<script>alert("x")</script>`;

const topology: PreflightTopology = {
  tenantId: "tenant-guid",
  subscriptions: [{ subscriptionId: SUB_A, displayName: "Primary", state: "Enabled" }, { subscriptionId: SUB_B }],
  vaults: [
    { member: "primary", subscriptionId: SUB_A, vaultName: "contoso-a1", location: "westeurope", vaultUri: "https://contoso-a1.vault.azure.net", keys: [{ name: "root", versions: [V1, V2] }] },
    { member: "secondary", subscriptionId: SUB_B, vaultName: "contoso-b1", location: "swedencentral", vaultUri: "https://contoso-b1.vault.azure.net", keys: [{ name: "root", versions: [V1] }] },
  ],
  policies: [
    { kind: "exchange", name: EVIL, keyUris: [`https://contoso-a1.vault.azure.net/keys/root/${V2}`, `https://contoso-b1.vault.azure.net/keys/root/${V1}`], mailboxCount: 3 },
    { kind: "sharePoint", name: "SharePoint NAM", geo: "NAM", state: "Registered", progressPercent: 100, siteCount: 1240, keyUris: [`https://contoso-a1.vault.azure.net/keys/root/${V1}`, "https://contoso-b1.vault.azure.net/keys/root"] },
    { kind: "sharePoint", name: "SharePoint EUR", geo: "EUR", state: "Registering", progressPercent: 40, keyUris: [`https://contoso-a1.vault.azure.net/keys/root/${V1}`, "https://contoso-b1.vault.azure.net/keys/root"] },
  ],
};

const check = (over: Partial<PreflightCheck>): PreflightCheck => ({ id: "vault.sku", title: "t", status: "pass", target: "x", evidence: "e", remediation: "", ...over });
const checks: PreflightCheck[] = [
  check({ id: "key.expiry", status: "fail", target: "key contoso-a1/root", vaultName: "contoso-a1", keyName: "root", subscriptionId: SUB_A, member: "primary", evidence: `Expires soon ${EVIL}`, remediation: `clearExpiry ${EVIL}` }),
  check({ id: "vault.softDelete", status: "warn", vaultName: "contoso-b1", subscriptionId: SUB_B, target: `vault ${EVIL}` }),
  check({ id: "policy.keys.resolvable", status: "fail", evidence: `Exchange DEP '${EVIL}': key expires` }),
  check({ id: "subscription.enabled", status: "pass", subscriptionId: SUB_A }),
];

describe("escapeHtml", () => {
  it("escapes the five HTML metacharacters", () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});

describe("report.toHtml()", () => {
  const report = new PreflightReport("exchange", checks, new Date("2026-01-02T03:04:05Z"), topology);
  const html = report.toHtml({ title: `Audit ${EVIL}`, generatedAt: new Date("2026-02-03T04:05:06Z") });

  it("has no tag, script or external reference of the tenant's strings, and a CSP that allows no fetch", () => {
    expect(html).not.toContain("<script");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).not.toMatch(/\b(src|href)=/);
    expect(html).not.toMatch(/url\(|@import/);
    expect(html).toContain("<title>Audit &lt;script&gt;");
    expect(html).toContain("Generated 2026-02-03T04:05:06.000Z");
    expect(html).toContain("Result: NOT ready");
  });

  it("lists every check with evidence, and the fix of failing ones", () => {
    expect(html.match(/<tr class="(pass|fail|warn|skip)">/g)).toHaveLength(checks.length);
    expect(html).toContain("<strong>Fix:</strong> clearExpiry &lt;script&gt;");
  });

  it("draws the mailbox and site counts in the picture", () => {
    const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));
    expect(svg).toContain(">3 mailboxes<");
    expect(svg).toContain(">1,240 sites · 100 %<");
  });

  it("has no picture without a topology, and defaults its title to the workload", () => {
    const plain = new PreflightReport("exchange", checks).toHtml();
    expect(plain).not.toContain("<svg");
    expect(plain).toContain("<h1>Customer Key preflight: Exchange Online</h1>");
  });

  it("keeps the topology in toJSON", () => {
    expect(report.toJSON().topology).toEqual(topology);
    expect(new PreflightReport("exchange", checks).toJSON()).not.toHaveProperty("topology");
  });
});

describe("layoutTopology", () => {
  const layout = layoutTopology(topology, checks);
  const node = (id: string) => layout.nodes.find((n) => n.id === id)!;

  it("places six layers left to right, one node per key version, without overlaps", () => {
    const xs = ["tenant", "subscription", "vault", "keyVersion", "policy", "assignment"].map((l) => new Set(layout.nodes.filter((n) => n.layer === l).map((n) => n.x)));
    xs.forEach((set) => expect(set.size).toBe(1));
    const columns = xs.map((s) => [...s][0]!);
    expect([...columns].sort((a, b) => a - b)).toEqual(columns);
    expect(layout.nodes.filter((n) => n.layer === "keyVersion").map((n) => n.detail)).toEqual(["version 01234567", "version fedcba98", "version 01234567"]);
    for (const a of layout.nodes) {
      for (const b of layout.nodes) {
        if (a === b) continue;
        const apart = a.x + NODE_WIDTH <= b.x || b.x + NODE_WIDTH <= a.x || a.y + NODE_HEIGHT <= b.y || b.y + NODE_HEIGHT <= a.y;
        expect(apart, `${a.id} overlaps ${b.id}`).toBe(true);
      }
      expect(a.x + NODE_WIDTH).toBeLessThanOrEqual(layout.width);
      expect(a.y + NODE_HEIGHT).toBeLessThanOrEqual(layout.height);
    }
  });

  it("links policies to the key versions they name (a versionless URI to the key's first version)", () => {
    const into = (id: string) => layout.edges.filter((e) => e.to === id).map((e) => e.from).sort();
    expect(into("policy:0")).toEqual([`key:contoso-a1/root/${V2}`, `key:contoso-b1/root/${V1}`]);
    expect(into("policy:1")).toEqual([`key:contoso-a1/root/${V1}`, `key:contoso-b1/root/${V1}`]);
    expect(into("vault:contoso-a1")).toEqual([`sub:${SUB_A}`]);
    expect(node("assign:0").label).toBe("3 mailboxes");
    // A geo's sites and its registration progress; without a site count (not readable), its geo and progress.
    expect(node("assign:1")).toMatchObject({ label: "1,240 sites · 100 %", detail: "geo NAM · SharePoint, OneDrive" });
    expect(node("assign:2")).toMatchObject({ label: "geo EUR · 40 %", detail: "geo EUR · SharePoint, OneDrive" });
  });

  it("marks the parts failing or warning checks name, and only those", () => {
    expect(node(`key:contoso-a1/root/${V1}`).status).toBe("fail");
    expect(node(`key:contoso-b1/root/${V1}`).status).toBe("pass");
    expect(node("vault:contoso-b1").status).toBe("warn");
    expect(node("vault:contoso-a1").status).toBe("pass");
    expect(node("policy:0").status).toBe("fail");
    expect(node("policy:0").marks).toEqual(["FAIL policy.keys.resolvable: x"]);
    expect(node("policy:1").status).toBe("pass");
    expect(node(`sub:${SUB_A}`).status).toBe("pass");
  });

  it("is deterministic", () => {
    expect(layoutTopology(structuredClone(topology), checks)).toEqual(layout);
  });
});

describe("PreflightReport.combinedHtml()", () => {
  // A second pair (SharePoint) sharing the subscriptions, seeing the same policies once more with one more count.
  const other: PreflightTopology = {
    tenantId: "tenant-guid",
    subscriptions: [{ subscriptionId: SUB_A }, { subscriptionId: SUB_B, displayName: "Secondary" }],
    vaults: [
      { member: "primary", subscriptionId: SUB_A, vaultName: "contoso-spo-a1", keys: [{ name: "spo", versions: [V2] }] },
      { member: "secondary", subscriptionId: SUB_B, vaultName: "contoso-spo-b1", keys: [{ name: "spo", versions: [V1] }] },
      { member: "primary", subscriptionId: SUB_A, vaultName: "contoso-a1", keys: [{ name: "root", versions: [V1] }] },
    ],
    policies: [{ kind: "sharePoint", name: "SharePoint EUR", geo: "EUR", state: "Registering", progressPercent: 40, siteCount: 12, keyUris: [] }],
  };
  const reports = [
    new PreflightReport("exchange", checks, new Date("2026-01-02T03:04:05Z"), topology),
    new PreflightReport("sharePoint", [check({ id: "vault.sku", status: "pass", vaultName: "contoso-spo-a1" })], new Date("2026-01-02T03:05:00Z"), other),
  ];
  const html = PreflightReport.combinedHtml(reports);
  const svg = html.slice(html.indexOf("<svg"), html.indexOf("</svg>"));

  it("draws every subscription, vault, key version and policy of all the reports once", () => {
    for (const name of ["contoso-a1", "contoso-b1", "contoso-spo-a1", "contoso-spo-b1"]) expect(svg.split(`data-id="vault:${name}"`).length - 1, name).toBe(1);
    const policyTitles = [...svg.matchAll(/data-layer="policy"><title>([^\n<]*)/g)].map((m) => m[1]);
    expect(policyTitles.filter((t) => t!.includes("SharePoint NAM"))).toHaveLength(1);
    expect(policyTitles.filter((t) => t!.includes("SharePoint EUR"))).toHaveLength(1);
    expect(svg.split('data-layer="subscription"').length - 1).toBe(2);
    expect(svg).toContain("Secondary");
    // The count only the second report had, on the policy the first report saw too.
    expect(svg).toContain("12 sites");
    // contoso-a1/root: both versions of the first report, none lost by the second.
    expect(svg).toContain(`version ${V1.slice(0, 7)}`);
    expect(svg).toContain(`version ${V2.slice(0, 7)}`);
  });

  it("lists every check under its workload, the newest time, and the verdict of all", () => {
    expect(html).toContain("Exchange Online: t");
    expect(html).toContain("SharePoint Online / OneDrive / Teams files: t");
    expect(html).toContain("Generated 2026-01-02T03:05:00.000Z");
    expect(html).toContain("NOT ready");
    expect(html).not.toContain(EVIL);
  });

  it("refuses anything but a non-empty list of reports", () => {
    expect(() => PreflightReport.combinedHtml([])).toThrow(expect.objectContaining({ code: "ERR_VALIDATION_TARGET_INVALID" }));
    expect(() => PreflightReport.combinedHtml([{} as PreflightReport])).toThrow(expect.objectContaining({ code: "ERR_VALIDATION_TARGET_INVALID" }));
  });
});
