/**
 * A static check of the shipped host script (it has not been run against a real pwsh here):
 * requests are parsed as data and splatted; nothing builds or evaluates script text; its
 * allow-lists are exactly the transports' cmdlets. And the package ships it where both builds find it.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { EXCHANGE_CMDLETS } from "../../src/index.js";
import { hostArguments, hostScriptPath } from "../../src/transports/powershell/host-script.js";
import { standIn } from "./pwsh-stand-in.js";

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const SOURCE = path.resolve("src/transports/powershell/customer-key-host.ps1");
const script = readFileSync(SOURCE, "utf8");
/** The script without its comments (block and line), so the checks read code only. */
const code = script.replace(/<#[\s\S]*?#>/g, "").replace(/(^|\s)#(?!Requires).*$/gm, "$1");

/** The names of one `invoke = @( ... )` / `connect = @(...)` list of a mode. */
function allowList(mode: "exchange" | "sharepoint", op: "connect" | "invoke"): string[] {
  const block = new RegExp(`${mode}\\s*=\\s*@\\{([\\s\\S]*?)\\n    \\}`).exec(code)?.[1] ?? "";
  const list = new RegExp(`${op}\\s*=\\s*@\\(([\\s\\S]*?)\\)`).exec(block)?.[1] ?? "";
  return [...list.matchAll(/'([A-Za-z0-9-]+)'/g)].map((m) => m[1]!);
}

describe("customer-key-host.ps1 (static)", () => {
  it("never evaluates or builds script text", () => {
    for (const forbidden of [/Invoke-Expression/i, /\biex\b/i, /Add-Type/i, /\[scriptblock\]/i, /NewScriptBlock/i, /InvokeScript/i, /ExpandString/i, /\$ExecutionContext/i, /Invoke-Command/i, /Start-Process/i, /Start-Job/i, /\bpowershell(\.exe)?\b/i, /\bpwsh\b/i]) {
      expect(code, String(forbidden)).not.toMatch(forbidden);
    }
    // Every call operator runs a resolved CommandInfo: `& $command` or `& (Get-Command …)`, never a string.
    const calls = [...code.matchAll(/&\s+(\S+)/g)].map((m) => m[1]!);
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const target of calls) expect(["$command", "(Get-Command"]).toContain(target);
    // No dot-sourcing and no string-built command names.
    expect(code).not.toMatch(/(^|\s)\.\s+["'$]/m);
    expect(code).not.toMatch(/&\s*["']/);
  });

  it("parses each request as data (date-like strings kept) and splats the parameters", () => {
    expect(script).toMatch(/^#Requires -Version 7\.5/);
    expect(code).toContain("ConvertFrom-Json -InputObject $line -AsHashtable -DateKind String");
    expect(code).toContain("& $command @parameters");
    expect(code).toMatch(/\$command = Get-Command -Name \$Request\['cmdlet'\] -CommandType Cmdlet, Function/);
    expect(code).toContain("ConvertTo-Json -InputObject $Response -Depth 12 -Compress");
    expect(code).toContain("-WarningVariable cmdletWarnings");
    // The name is checked against the allow-list case-sensitively before it is resolved.
    expect(code).toMatch(/\$cmdlet -cnotin \$allowed\[\$Mode\]\[\$op\]/);
    const checked = code.indexOf("$parameters = Assert-Request -Request $Request");
    expect(checked).toBeGreaterThan(-1);
    expect(checked).toBeLessThan(code.indexOf("& $command @parameters"));
  });

  it("allows exactly the transports' cmdlets", () => {
    expect(allowList("exchange", "invoke")).toEqual([...EXCHANGE_CMDLETS]);
    expect(allowList("exchange", "connect")).toEqual(["Connect-ExchangeOnline"]);
    expect(allowList("sharepoint", "invoke")).toEqual(["Get-SPODataEncryptionPolicy", "Register-SPODataEncryptionPolicy", "Update-SPODataEncryptionPolicy", "Restore-SPODataEncryptionPolicy", "Get-SPOSiteDataEncryptionPolicy"]);
    expect(allowList("sharepoint", "connect")).toEqual(["Connect-SPOService"]);
    // And the SharePoint transport sends only those.
    const transport = readFileSync("src/transports/powershell/sharepoint-powershell-transport.ts", "utf8");
    const sent = new Set([...transport.matchAll(/"((?:Get|Register|Update|Restore|Connect)-SPO[A-Za-z]+)"/g)].map((m) => m[1]!));
    expect([...sent].sort()).toEqual([...allowList("sharepoint", "invoke"), "Connect-SPOService"].sort());
  });

  it("is found from the sources and started with fixed arguments only", () => {
    expect(hostScriptPath()).toBe(SOURCE);
    expect(hostArguments("exchange")).toEqual(["-NoLogo", "-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", SOURCE, "-Mode", "exchange"]);
  });
});

describe("the package ships the host script (needs `npm run build`)", () => {
  const built = (file: string) => {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` before these tests (npm test does).`);
    return file;
  };

  it("dist/powershell/customer-key-host.ps1 is the source script, and npm pack includes it", () => {
    expect(readFileSync(built("dist/powershell/customer-key-host.ps1"), "utf8")).toBe(script);
    const [pack] = JSON.parse(execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] })) as { files: { path: string }[] }[];
    expect(pack!.files.map((f) => f.path)).toContain("dist/powershell/customer-key-host.ps1");
  });

  it("the CommonJS and ESM builds find it and drive the host", () => {
    const stand = standIn();
    const program = (load: string) => `
      ${load}
      const t = new m.ExchangePowerShellTransport({ pwshPath: ${JSON.stringify(stand.pwshPath)}, connect: { userPrincipalName: "admin@contoso.onmicrosoft.com" } });
      t.invoke({ cmdlet: "Get-OrganizationConfig", parameters: { Identity: "$(whoami)" } })
        .then((r) => { console.log(JSON.stringify(r.value[0].Received)); return t.close(); })
        .catch((e) => { console.error(e.code, e.message); process.exit(1); });`;
    const cjs = execFileSync(process.execPath, ["-e", program(`const m = require(${JSON.stringify(path.resolve(built("dist/index.cjs")))});`)], { encoding: "utf8" });
    const esm = execFileSync(process.execPath, ["--input-type=module", "-e", program(`const m = await import(${JSON.stringify(path.resolve(built("dist/index.js")))});`)], { encoding: "utf8" });
    for (const out of [cjs, esm]) expect(JSON.parse(out)).toEqual({ Identity: "$(whoami)" });
    // Without close(): an idle host does not keep Node alive, and exits when its stdin closes.
    const forgotten = `const m = await import(${JSON.stringify(path.resolve("dist/index.js"))});
      const t = new m.ExchangePowerShellTransport({ pwshPath: ${JSON.stringify(stand.pwshPath)}, connect: { userPrincipalName: "a@contoso.com" } });
      const r = await t.invoke({ cmdlet: "Get-OrganizationConfig" });
      console.log(r.value[0].Pid);`;
    const pid = Number(execFileSync(process.execPath, ["--input-type=module", "-e", forgotten], { encoding: "utf8", timeout: 20_000 }));
    expect(pid).toBeGreaterThan(0);
    const files = stand.records().filter((r) => r.event === "start").map((r) => r.argv![r.argv!.indexOf("-File") + 1]);
    expect(files).toEqual(Array(3).fill(path.resolve("dist/powershell/customer-key-host.ps1")));
    // The forgotten host ended with its parent.
    for (let i = 0; i < 50 && isAlive(pid); i++) execFileSync("sleep", ["0.1"]);
    expect(isAlive(pid)).toBe(false);
  });
});
