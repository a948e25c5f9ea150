/** Vault checks (Resource Manager reads): the vault exists, is premium, soft delete, purge protection, region, name. */
import { arePaired, geographyOf, normalizeRegion } from "../../rules/regions.js";
import { vaultNameProblems } from "../../rules/vault-naming.js";
import { needVault, pass, type CheckInputs, type CheckTask } from "./check-task.js";
import type { MemberTarget } from "../normalize-target.js";

const is = (a: string | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

function vaultMemberChecks(inputs: CheckInputs, m: MemberTarget): CheckTask[] {
  const target = m.label;
  const allowStandard = inputs.target.allowStandardSku;
  const rg = m.resourceGroup ?? "<resource group>";
  return [
    {
      id: "vault.name",
      target,
      run: async () => {
        const problems = vaultNameProblems(m.vaultName);
        if (problems.length > 0) {
          return { status: "fail", evidence: `'${m.vaultName}' is not a valid Key Vault name: it ${problems.join("; it ")}.`, remediation: "Correct the vault name in the target (3–24 letters, digits and single hyphens, starting with a letter)." };
        }
        const vault = await inputs.reader.vault(m);
        if (vault) return pass(`Found ${vault.id ?? m.vaultName} in ${vault.location ?? "an unknown region"}.`);
        return {
          status: "fail",
          evidence: `No vault named ${m.vaultName} in ${m.resourceGroup ? `resource group ${m.resourceGroup} of ` : ""}subscription ${m.subscriptionId}.`,
          remediation: `Create it: client.vaultPairs.plan(spec) then client.vaultPairs.beginApply(plan). PowerShell: New-AzKeyVault -VaultName ${m.vaultName} -ResourceGroupName ${rg} -Location <region> -Sku Premium -EnablePurgeProtection.`,
        };
      },
    },
    {
      id: "vault.sku",
      target,
      run: async () => {
        const sku = (await needVault(inputs, m)).properties?.sku?.name ?? "unknown";
        if (is(sku, "premium")) return pass("SKU premium.");
        return {
          status: allowStandard && is(sku, "standard") ? "warn" : "fail",
          evidence: `SKU ${sku}: keys in it cannot be HSM-protected. Microsoft accepts Standard for testing only${allowStandard ? " (accepted by allowStandardSku)" : "; accept it in a test tenant with allowStandardSku: true"}.`,
          remediation: `Use a Premium vault: client.vaultPairs.plan(spec) then beginApply(plan) (PATCH sku premium). Azure CLI: az keyvault update --name ${m.vaultName} --set properties.sku.name=premium. Then create an RSA-HSM key there (client.keys.create).`,
        };
      },
    },
    {
      id: "vault.softDelete",
      target,
      run: async () => {
        const props = (await needVault(inputs, m)).properties;
        const on = props?.enableSoftDelete !== false;
        const days = props?.softDeleteRetentionInDays ?? 90;
        if (on && days === 90) return pass("Soft delete on, 90 days retention.");
        return {
          status: "fail",
          evidence: on ? `Soft delete on, but only ${days} days retention (keys then report CustomizedRecoverable…).` : "Soft delete is off.",
          remediation: on
            ? `Retention cannot be changed after creation: create a new vault with 90 days (client.vaultPairs.plan/beginApply; PowerShell: New-AzKeyVault -VaultName <new name> -ResourceGroupName ${rg} -Location <region> -Sku Premium -SoftDeleteRetentionInDays 90 -EnablePurgeProtection) and create the keys there.`
            : `Turn soft delete on (it cannot be turned off again): client.vaultPairs.plan(spec) then beginApply(plan). PowerShell: Update-AzKeyVault -VaultName ${m.vaultName} -ResourceGroupName ${rg} -EnableSoftDelete (older Az: set properties.enableSoftDelete with Set-AzResource).`,
        };
      },
    },
    {
      id: "vault.purgeProtection",
      target,
      run: async () => {
        const props = (await needVault(inputs, m)).properties;
        if (props?.enablePurgeProtection === true) return pass("Purge protection on.");
        return {
          status: "fail",
          evidence: "Purge protection is off: a deleted key could be purged before its 90 days.",
          remediation: `client.vaultPairs.plan(spec) then beginApply(plan) (enablePurgeProtection: true; irreversible). PowerShell: Update-AzKeyVault -VaultName ${m.vaultName} -ResourceGroupName ${rg} -EnablePurgeProtection.`,
        };
      },
    },
  ];
}

export function vaultChecks(inputs: CheckInputs): CheckTask[] {
  const [p, s] = inputs.target.members;
  const regions = async () => {
    const [a, b] = [await needVault(inputs, p), await needVault(inputs, s)];
    return [normalizeRegion(a.location ?? ""), normalizeRegion(b.location ?? "")] as const;
  };
  return [
    ...vaultMemberChecks(inputs, p).map((t) => ({ ...t, member: p })),
    ...vaultMemberChecks(inputs, s).map((t) => ({ ...t, member: s })),
    {
      id: "vault.regions.distinct",
      target: "vault pair",
      run: async () => {
        const [a, b] = await regions();
        if (a !== b) return pass(`Primary in ${a}, secondary in ${b}.`);
        return {
          status: "fail",
          evidence: `Both vaults are in ${a}.`,
          remediation: `A vault cannot move: create the secondary vault in another region near the Microsoft 365 data location (client.vaultPairs.plan(spec) with another secondary.location; PowerShell: New-AzKeyVault -VaultName <name> -Location <region> -Sku Premium -EnablePurgeProtection) and create its key there.`,
        };
      },
    },
    {
      id: "vault.regions.notPaired",
      target: "vault pair",
      run: async () => {
        const [a, b] = await regions();
        if (a === b) return { status: "skip", evidence: "Both vaults are in one region (see vault.regions.distinct)." };
        if (!arePaired(a, b)) return pass(`${a} and ${b} are not an Azure region pair (geographies ${geographyOf(a) ?? "unknown"} / ${geographyOf(b) ?? "unknown"}).`);
        return {
          status: inputs.target.allowPairedRegions ? "warn" : "fail",
          evidence: `${a} and ${b} are an Azure region pair; Microsoft advises two non-paired regions (four regions of availability).`,
          remediation: "Create the secondary vault in a region that is not the primary's pair (client.vaultPairs.plan(spec) with another secondary.location; PowerShell: New-AzKeyVault -Location <region>), or accept it with allowPairedRegions: true.",
        };
      },
    },
  ];
}
