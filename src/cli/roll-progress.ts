/** One line per key-roll state: the step and each policy's status. */
import type { KeyRollOperationState } from "../index.js";

/** Progress in steps of 5 %: a line changes (and is printed) at most 20 times per policy, not at every 0.01 %. */
const coarse = (percent: number) => Math.min(100, Math.floor(percent / 5) * 5);

export function describeRollState(state: KeyRollOperationState): string {
  const policies = state.policies.map(
    (p) => `${p.workload}:${p.policy || "(tenant)"}${p.keyType ? `/${p.keyType}` : ""}=${p.status}${p.progressPercent !== undefined ? ` ${coarse(p.progressPercent)}%` : ""}`,
  );
  return `  ${state.step}${policies.length ? `  ${policies.join(", ")}` : ""}`;
}
