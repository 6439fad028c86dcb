/**
 * Where a scan that spans several invocations stands: the cursor row of its checkpoint
 * (ScanCheckpoints). Stored as JSON between invocations, so it is read back through a schema.
 */
import { z } from "zod";
import type { TenantPaceState } from "../graph/pacer.js";
import { UNAVAILABLE_REASONS } from "../model/snapshot.js";
import { PAGED_START, type PagedCursor } from "./paged.js";

/** Counters that add up over a scan's invocations. */
export interface ScanTotals {
  readonly requests: number;
  readonly throttled: number;
  readonly pacedInMs: number;
  readonly invocations: number;
  readonly checkpointTransactions: number;
}

export interface ScanCursor {
  readonly version: 1;
  /** The message allowed to continue from here: 0 the timer's, n the n-th follow-up. */
  readonly chain: number;
  /** When the scan's first invocation started (the snapshot's collectedAt). */
  readonly collectedAt: string;
  readonly paged: PagedCursor;
  /** Up to and including the invocation that saved this cursor. */
  readonly totals: ScanTotals;
  readonly pacing: TenantPaceState;
}

const ZERO_TOTALS: ScanTotals = { requests: 0, throttled: 0, pacedInMs: 0, invocations: 0, checkpointTransactions: 0 };

/** A scan that has read nothing yet, started by message `chain` at `collectedAt`. */
export function freshCursor(chain: number, collectedAt: Date): ScanCursor {
  return { version: 1, chain, collectedAt: collectedAt.toISOString(), paged: PAGED_START, totals: ZERO_TOTALS, pacing: {} };
}

const failedSource = z.object({
  ok: z.literal(false),
  reason: z.enum(UNAVAILABLE_REASONS),
  code: z.string().optional(),
  message: z.string(),
});
const streamCursor = z.object({
  status: z.enum(["reading", "done", "failed"]),
  next: z.string().optional(),
  pages: z.number().int().min(0),
  items: z.number().int().min(0),
  failure: failedSource.optional(),
  restarts: z.number().int().min(0).optional(),
});
const scanCursorSchema = z.object({
  version: z.literal(1),
  chain: z.number().int().min(0),
  collectedAt: z.string(),
  paged: z.object({
    users: streamCursor.extend({ withSignIn: z.boolean(), signInFailure: failedSource.optional() }),
    registration: streamCursor,
  }),
  totals: z.object({
    requests: z.number(),
    throttled: z.number(),
    pacedInMs: z.number(),
    invocations: z.number(),
    checkpointTransactions: z.number(),
  }),
  pacing: z.record(z.string(), z.number()),
});

/** The stored cursor, checked; TypeError naming every problem when it is not one. */
export function parseScanCursor(stored: unknown): ScanCursor {
  const parsed = scanCursorSchema.safeParse(stored);
  if (!parsed.success)
    throw new TypeError(`Unreadable scan checkpoint: ${parsed.error.issues.map((i) => `${i.path.join(".")} ${i.message}`).join("; ")}`);
  return parsed.data;
}
