import type { QueueClient } from "@azure/storage-queue";
import { enqueueAll } from "../queue/queue-client.js";
import type { ScanMessage } from "../queue/scan-message.js";

/** Sends (again) follow-up `chain` of a scan, on its own lane, so it never waits behind the night's fan-out. */
export async function sendFollowUp(lanes: { readonly scanContinueQueue: QueueClient }, message: ScanMessage, chain: number): Promise<void> {
  const { runId, tenantId, asOf } = message;
  await enqueueAll(lanes.scanContinueQueue, [{ runId, tenantId, asOf, continuation: chain } satisfies ScanMessage]);
}
