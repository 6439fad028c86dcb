import { z } from "zod";
import { isRunId } from "../storage/keys.js";
import { parseQueueMessage } from "./parse.js";

/**
 * Scan messages travel in three lanes, one queue function each (functions/registry.ts), so that a
 * few long scans never hold the host's concurrent invocations of a queue while hundreds of quick
 * ones wait behind them, and a scan's next part never waits behind the night's fan-out.
 */
/** The timer's message for a tenant whose scan takes seconds (or whose size is not known yet). */
export const SCAN_QUEUE = "scan-tenant";
/**
 * The timer's message for a tenant whose previous scan read more users than the sign-in limit's
 * burst covers (LONG_SCAN_USERS): its scan waits on Graph's pacing for minutes.
 */
export const SCAN_LONG_QUEUE = "scan-tenant-long";
/** Follow-ups of scans that stopped before the host's timeout (same message, `continuation` set). */
export const SCAN_CONTINUE_QUEUE = "scan-tenant-continue";

/**
 * Users read with signInActivity are limited to 10 pages of 500 a minute per tenant, and the
 * first 10 pages go at once: above 5,000 users a scan paces itself for minutes.
 */
export const LONG_SCAN_USERS = 5_000;

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
