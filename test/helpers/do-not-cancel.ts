/** Do-Not-Cancel requested through the SDK and approved by the emulator (Microsoft's part), for tests about something else. */
import type { Emulator } from "../../src/emulator/index.js";
import type { CustomerKeyClient } from "../../src/index.js";

export async function registerDoNotCancelApproved(client: CustomerKeyClient, emulator: Emulator, subscriptionIds: readonly string[] = emulator.subscriptionIds): Promise<void> {
  for (const subscriptionId of subscriptionIds) {
    const poller = client.subscriptions.beginRegisterDoNotCancel(subscriptionId);
    await poller.poll();
    emulator.approveDoNotCancel(subscriptionId);
    await poller.pollUntilDone();
  }
}
