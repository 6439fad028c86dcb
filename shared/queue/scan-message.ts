import { z } from "zod";
import { isRunId } from "../storage/keys.js";

/** The message the nightly timer enqueues once per tenant and the scan-tenant function consumes. */
export const SCAN_QUEUE = "scan-tenant";

const ScanMessageSchema = z.object({
  runId: z.string().refine(isRunId, "must be a run id such as 20261128T020000.000Z"),
  tenantId: z.guid("must be a tenant id (GUID)"),
  asOf: z.iso.datetime({ offset: true, error: "must be an ISO-8601 instant" }),
});

export type ScanMessage = z.infer<typeof ScanMessageSchema>;

export class InvalidMessageError extends Error {
  override readonly name = "InvalidMessageError";
}

/**
 * Checks a queue message before anything acts on it. The Functions host has already decoded the
 * base64 and, for JSON, parsed it; the local pump passes the same shape.
 */
export function parseScanMessage(message: unknown): ScanMessage {
  const value = typeof message === "string" ? parseJson(message) : message;
  const parsed = ScanMessageSchema.safeParse(value);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "message"} ${i.message}`).join("; ");
    throw new InvalidMessageError(`Invalid ${SCAN_QUEUE} message: ${problems}`);
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidMessageError(`Invalid ${SCAN_QUEUE} message: not JSON`);
  }
}
