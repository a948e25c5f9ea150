/** Root key checks (Key Vault reads): size, protection, operations, expiry, recovery level. */
import { isAcceptedExpiry, KEY_SIZES, modulusBits, RECOVER_PERMISSION_HINT, REQUIRED_RECOVERY_LEVEL, toRootKeyInfo, updatePermissionHint } from "../../rules/key-rules.js";
import { keyLabel, needKey, pass, readKey, type CheckInputs, type CheckTask } from "./check-task.js";
import type { MemberTarget } from "../normalize-target.js";

const createHint = (m: MemberTarget, name: string) =>
  `Create a compliant key: client.keys.create(vault, "${name}", { size: 3072, protection: "hsm" }) (a new name, or client.keys.roll for a new version). PowerShell: Add-AzKeyVaultKey -VaultName ${m.vaultName} -Name ${name} -Destination HSM -Size 3072 -KeyOps wrapKey,unwrapKey.`;

function memberKeyChecks(inputs: CheckInputs, m: MemberTarget): CheckTask[] {
  const target = keyLabel(m);
  const name = m.keyName ?? "<key>";
  return [
    {
      id: "key.type",
      target,
      run: async () => {
        const read = await readKey(inputs, m);
        if (!read.key) {
          return {
            status: "fail",
            evidence: `Key ${read.name}${m.keyUri?.version ? ` version ${m.keyUri.version}` : ""} was not found in ${m.vaultName}.`,
            remediation: `${createHint(m, read.name)} If it was deleted by mistake: client.keys.recover(vault, "${read.name}") (Undo-AzKeyVaultKeyRemoval -VaultName ${m.vaultName} -Name ${read.name}). ${RECOVER_PERMISSION_HINT}`,
          };
        }
        const kty = String(read.key.keyType ?? "");
        const bits = modulusBits(read.key.key?.n);
        const sizeOk = bits !== undefined && (KEY_SIZES as readonly number[]).includes(bits);
        if ((kty === "RSA" || kty === "RSA-HSM") && sizeOk) return pass(`${kty}, ${bits} bits, version ${read.key.properties.version}.`);
        return { status: "fail", evidence: `${kty || "unknown type"}${bits ? `, ${bits} bits` : ""}: Customer Key needs RSA keys of 2048, 3072 or 4096 bits.`, remediation: createHint(m, read.name) };
      },
    },
    {
      id: "key.hsm",
      target,
      run: async () => {
        const kty = String((await needKey(inputs, m)).keyType ?? "");
        if (kty === "RSA-HSM") return pass("RSA-HSM: the key never leaves the HSM.");
        // Microsoft 365 accepts a software-protected RSA key and advises against it: a warning, by the report's own definition.
        return {
          status: "warn",
          evidence: `${kty}: software-protected. Microsoft 365 accepts it, but Microsoft advises HSM-protected keys for production.`,
          remediation: `In a Premium vault, ${createHint(m, name)}`,
        };
      },
    },
    {
      id: "key.enabled",
      target,
      run: async () => {
        const info = toRootKeyInfo(await needKey(inputs, m));
        const notYet = info.notBefore !== undefined && info.notBefore.getTime() > Date.now();
        if (info.enabled && !notYet) return pass("Enabled.");
        return {
          status: "fail",
          evidence: info.enabled ? `Not valid before ${info.notBefore!.toISOString()}.` : "Disabled: Microsoft 365 cannot unwrap with it.",
          remediation: `Enable it: KeyClient.updateKeyProperties("${name}", "${info.version}", { enabled: true, notBefore: undefined }) (@azure/keyvault-keys). PowerShell: Update-AzKeyVaultKey -VaultName ${m.vaultName} -Name ${name} -Enable $true. ${updatePermissionHint(m.vaultName, m.resourceGroup)}`,
        };
      },
    },
    {
      id: "key.operations",
      target,
      run: async () => {
        const info = toRootKeyInfo(await needKey(inputs, m));
        const missing = ["wrapKey", "unwrapKey"].filter((op) => !info.keyOperations.includes(op));
        if (missing.length === 0) return pass(`key_ops: ${info.keyOperations.join(", ")}.`);
        return {
          status: "fail",
          evidence: `key_ops [${info.keyOperations.join(", ")}] lack ${missing.join(", ")}.`,
          remediation: `PowerShell: Update-AzKeyVaultKey -VaultName ${m.vaultName} -Name ${name} -KeyOps wrapKey,unwrapKey (or KeyClient.updateKeyProperties(name, version, { keyOps: ["wrapKey", "unwrapKey"] })): ${updatePermissionHint(m.vaultName, m.resourceGroup)} (client.keys.roll keeps a version's key operations, so it does not fix this; a new key under another name, client.keys.create, does.)`,
        };
      },
    },
    {
      id: "key.expiry",
      target,
      run: async () => {
        const info = toRootKeyInfo(await needKey(inputs, m));
        if (info.expiresOn === undefined) return pass("No expiry.");
        if (isAcceptedExpiry(info.expiresOn)) return pass(`Expires ${info.expiresOn.toISOString()} (12/31/9999, as Microsoft prescribes).`);
        return {
          status: "fail",
          evidence: `Expires ${info.expiresOn.toISOString()}: keys with an expiry other than 12/31/9999 do not pass Microsoft 365 validation.`,
          remediation: `client.keys.clearExpiry("${info.id}"). PowerShell: Update-AzKeyVaultKey -VaultName ${m.vaultName} -Name ${name} -Expires (Get-Date -Date "12/31/9999"). ${updatePermissionHint(m.vaultName, m.resourceGroup)}`,
        };
      },
    },
    {
      id: "key.recoveryLevel",
      target,
      run: async () => {
        const level = (await needKey(inputs, m)).properties.recoveryLevel ?? "unknown";
        if (level === REQUIRED_RECOVERY_LEVEL) return pass(`${level}.`);
        return {
          status: "fail",
          evidence: `${level}; Microsoft 365 requires ${REQUIRED_RECOVERY_LEVEL}.`,
          remediation: `Register Do-Not-Cancel on subscription ${m.subscriptionId} (client.subscriptions.beginRegisterDoNotCancel; Register-AzProviderFeature -FeatureName mandatoryRetentionPeriodEnabled -ProviderNamespace Microsoft.Resources) and keep soft delete (90 days) and purge protection on the vault (Update-AzKeyVault -VaultName ${m.vaultName} -EnablePurgeProtection); the level follows.`,
        };
      },
    },
  ];
}

export function keyChecks(inputs: CheckInputs): CheckTask[] {
  return inputs.target.members.flatMap((m) => memberKeyChecks(inputs, m).map((t) => ({ ...t, member: m })));
}
