/** One line per key-roll state: the step and each policy's status. */
import type { KeyRollOperationState } from "../index.js";

export function describeRollState(state: KeyRollOperationState): string {
  const policies = state.policies.map(
    (p) => `${p.workload}:${p.policy || "(tenant)"}${p.keyType ? `/${p.keyType}` : ""}=${p.status}${p.progressPercent !== undefined ? ` ${p.progressPercent}%` : ""}`,
  );
  return `  ${state.step}${policies.length ? `  ${policies.join(", ")}` : ""}`;
}
