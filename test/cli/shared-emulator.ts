/**
 * An emulator in the test's own process that the CLI reaches with `--state FILE`, exactly as it
 * reaches one started by `customer-key emulator start --state FILE`; the test can then read the
 * emulator's request log and move its clock.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeConnectionFile } from "../../src/cli/connection.js";
import type { Emulator } from "../../src/emulator/index.js";

/** Writes the CA and the connection file into `dir`; returns the path to pass as `--state`. */
export function shareWithCli(emulator: Emulator, dir: string): string {
  const state = join(dir, "state.json");
  const caFile = `${state}.ca.pem`;
  writeFileSync(caFile, emulator.caCertificate);
  writeConnectionFile(state, emulator, caFile);
  return state;
}

/** Requests sent from sequence number `since` on, Entra ID's token requests aside (a credential makes those on its own). */
export function serviceRequestsSince(emulator: Emulator, since: number) {
  return emulator.requests.list().filter((e) => e.seq >= since && e.service !== "identity");
}
