import { z } from "zod";
import { isRunId } from "../storage/keys.js";
import { parseQueueMessage } from "./parse.js";

/** The message the nightly timer enqueues once per tenant and the scan-tenant function consumes. */
export const SCAN_QUEUE = "scan-tenant";
/**
 * Follow-ups of scans that stopped before the host's timeout (same message, `continuation` set).
 * A queue of their own, so a huge tenant's next part does not wait behind the night's fan-out.
 */
export const SCAN_CONTINUE_QUEUE = "scan-tenant-continue";

const ScanMessageSchema = z.object({
  runId: z.string().refine(isRunId, "must be a run id such as 20261128T020000.000Z"),
  tenantId: z.guid("must be a tenant id (GUID)"),
  asOf: z.iso.datetime({ offset: true, error: "must be an ISO-8601 instant" }),
  /**
   * Absent on the timer's message. n on the n-th follow-up a scan sends itself when it stops
   * collecting before the host's timeout: continue from the checkpoint it saved.
   */
  continuation: z.number().int().min(1).optional(),
});

export type ScanMessage = z.infer<typeof ScanMessageSchema>;

/** Throws InvalidMessageError naming every problem. */
export function parseScanMessage(message: unknown): ScanMessage {
  return parseQueueMessage(ScanMessageSchema, SCAN_QUEUE, message);
}
