/** Subscription checks (Resource Manager reads): two distinct subscriptions, enabled, Do-Not-Cancel. */
import { pass, type CheckInputs, type CheckTask } from "./check-task.js";

const is = (a: string | undefined, b: string) => (a ?? "").toLowerCase() === b.toLowerCase();

export function subscriptionChecks(inputs: CheckInputs): CheckTask[] {
  const [p, s] = inputs.target.members;
  const tasks: CheckTask[] = [
    {
      id: "subscription.distinct",
      target: "subscriptions",
      run: async () =>
        p.subscriptionId.toLowerCase() !== s.subscriptionId.toLowerCase()
          ? pass(`Primary ${p.subscriptionId}, secondary ${s.subscriptionId}.`)
          : {
              status: "fail",
              evidence: `Both vaults are in subscription ${p.subscriptionId}.`,
              remediation:
                "Put the secondary vault in a second subscription (own admins): plan the pair with two subscriptions, client.vaultPairs.plan(spec) then client.vaultPairs.beginApply(plan). " +
                "PowerShell: Set-AzContext -Subscription <second subscription>; New-AzKeyVault -VaultName <name> -ResourceGroupName <rg> -Location <region> -Sku Premium -EnablePurgeProtection.",
            },
    },
  ];
  const subscriptions = [...new Map(inputs.target.members.map((m) => [m.subscriptionId.toLowerCase(), m.subscriptionId])).values()];
  for (const id of subscriptions) {
    const target = `subscription ${id}`;
    const holders = inputs.target.members.filter((m) => m.subscriptionId.toLowerCase() === id.toLowerCase());
    // A subscription that holds both vaults concerns no single member.
    const scope = { subscriptionId: id, ...(holders.length === 1 ? { member: holders[0]! } : {}) };
    const at = tasks.length;
    tasks.push(
      {
        id: "subscription.enabled",
        target,
        run: async () => {
          const sub = await inputs.reader.subscription(id);
          const tenantOk = !sub.tenantId || is(sub.tenantId, inputs.tenantId);
          const evidence = `State ${sub.state}${sub.displayName ? ` ("${sub.displayName}")` : ""}, tenant ${sub.tenantId || "not reported"}.`;
          if (is(sub.state, "Enabled") && tenantOk) return pass(evidence);
          return {
            status: "fail",
            evidence: tenantOk ? evidence : `${evidence} The client works in tenant ${inputs.tenantId}; both subscriptions must be in the Microsoft 365 tenant.`,
            remediation: `Customer Key needs active, paid subscriptions in the Microsoft 365 tenant: re-activate it in Cost Management + Billing. Check with client.subscriptions.get("${id}"); PowerShell: Get-AzSubscription -SubscriptionId ${id} | Select-Object State, TenantId.`,
          };
        },
      },
      {
        id: "subscription.doNotCancel",
        target,
        run: async () => {
          const state = await inputs.reader.doNotCancel(id);
          if (is(state.featureState, "Registered")) return pass("Feature Microsoft.Resources/mandatoryRetentionPeriodEnabled is Registered.");
          return {
            status: "fail",
            evidence: `Feature Microsoft.Resources/mandatoryRetentionPeriodEnabled is ${state.featureState}${is(state.featureState, "Pending") ? " (waiting for Microsoft's approval, about five business days)" : ""}.`,
            remediation: `client.subscriptions.beginRegisterDoNotCancel("${id}") and wait for Microsoft's approval. PowerShell (in that subscription): Register-AzProviderFeature -FeatureName mandatoryRetentionPeriodEnabled -ProviderNamespace Microsoft.Resources; check with Get-AzProviderFeature -FeatureName mandatoryRetentionPeriodEnabled -ProviderNamespace Microsoft.Resources.`,
          };
        },
      },
      {
        id: "subscription.keyVaultProvider",
        target,
        run: async () => {
          const state = await inputs.reader.doNotCancel(id);
          if (is(state.providerState, "Registered")) return pass("Microsoft.KeyVault is Registered.");
          return {
            status: "fail",
            evidence: `Microsoft.KeyVault is ${state.providerState}.`,
            remediation: `client.subscriptions.beginRegisterDoNotCancel("${id}") registers it once Do-Not-Cancel is approved. PowerShell (in that subscription): Register-AzResourceProvider -ProviderNamespace Microsoft.KeyVault.`,
          };
        },
      },
    );
    for (let i = at; i < tasks.length; i++) tasks[i] = { ...tasks[i]!, ...scope };
  }
  return tasks;
}
