/**
 * What one delivery of a scan message does. A scan that outlives an invocation saves a checkpoint
 * and sends itself follow-up messages (`continuation: n + 1`), so a message may arrive late, twice,
 * or after its scan moved on; only one delivery at a time may collect.
 *
 * Which message may continue a checkpoint: the cursor's `chain`. The timer's message is 0, the
 * n-th follow-up n. A message whose number is behind the chain is a late duplicate (skipped); one
 * exactly one behind finds its hand-over done but maybe unsent (it sends the follow-up again;
 * duplicates are harmless). Every save is ETag-conditional and a continuing invocation saves
 * (claims) first (collect/resumable-collect.ts), so of two deliveries of the same message working
 * at once, one stops at once.
 */
import type { QueueClient } from "@azure/storage-queue";
import type { ScanMessage } from "../queue/scan-message.js";
import type { ScanCheckpointsRepository } from "../storage/checkpoints.js";
import { isTerminal, type RunsRepository, type TenantRunTransition } from "../storage/runs.js";
import { loadCheckpoint, type Checkpoint } from "./checkpoint-writer.js";
import { sendFollowUp } from "./follow-up.js";

export interface DeliveryGateDeps {
  readonly runs: Pick<RunsRepository, "startTenantRun" | "getTenantRun">;
  readonly checkpoints: Pick<ScanCheckpointsRepository, "load" | "delete">;
  /** Where a follow-up lost after its hand-over is sent again. */
  readonly scanContinueQueue: QueueClient;
}

export type ScanStart =
  /** No checkpoint: collect from the first page. */
  | { readonly kind: "fresh" }
  /** Continue this checkpoint. */
  | { readonly kind: "resume"; readonly checkpoint: Checkpoint }
  /** The checkpoint was handed over to follow-up `chain` already; that follow-up may be lost. */
  | { readonly kind: "handed-over"; readonly chain: number }
  /** A late or duplicate message: another invocation has moved this scan on. */
  | { readonly kind: "stale"; readonly reason: string };

export type Delivery =
  | { readonly kind: "collect"; readonly start: Extract<ScanStart, { kind: "fresh" | "resume" }> }
  /** Nothing to collect: follow-up `chain` holds the scan (and was sent again). */
  | { readonly kind: "handed-over"; readonly chain: number }
  /** Nothing to collect: a late or duplicate message, or a run that ended. */
  | { readonly kind: "skipped"; readonly transition: TenantRunTransition };

/** Where this message stands with respect to the tenant's checkpoint in this run. */
async function openScan(checkpoints: Pick<ScanCheckpointsRepository, "load">, message: ScanMessage): Promise<ScanStart> {
  const n = message.continuation ?? 0;
  const checkpoint = await loadCheckpoint(checkpoints, message);
  if (!checkpoint) return { kind: "fresh" };
  const chain = checkpoint.cursor.chain;
  if (chain === n) return { kind: "resume", checkpoint };
  if (chain === n + 1) return { kind: "handed-over", chain };
  return { kind: "stale", reason: `message ${n} is behind the scan's checkpoint (held by follow-up ${chain})` };
}

/**
 * Decides what this delivery does. The timer's message starts the tenant's run (queued/running →
 * running, attempt + 1); a follow-up only checks the run is still running, so continuing is never
 * mistaken for a duplicate start. Late duplicates are skipped.
 */
export async function beginScan(deps: DeliveryGateDeps, message: ScanMessage): Promise<Delivery> {
  const { runId, tenantId } = message;
  const opened = await openScan(deps.checkpoints, message);
  if (opened.kind === "handed-over") {
    await sendFollowUp(deps, message, opened.chain);
    return opened;
  }
  if (opened.kind === "stale")
    return { kind: "skipped", transition: { outcome: "conflict", run: await deps.runs.getTenantRun(runId, tenantId) } };
  const transition: TenantRunTransition =
    message.continuation === undefined ? await deps.runs.startTenantRun(runId, tenantId) : await runningOrEnded(deps.runs, message);
  if (transition.outcome === "applied") return { kind: "collect", start: opened };
  // The run ended before: a checkpoint left behind (a crash after finishing) is no longer needed.
  if (opened.kind === "resume" && transition.outcome === "already-terminal") await deps.checkpoints.delete(runId, tenantId);
  return { kind: "skipped", transition };
}

async function runningOrEnded(runs: Pick<RunsRepository, "getTenantRun">, message: ScanMessage): Promise<TenantRunTransition> {
  const run = await runs.getTenantRun(message.runId, message.tenantId);
  if (run === undefined) return { outcome: "conflict", run };
  return isTerminal(run.status) ? { outcome: "already-terminal", run } : { outcome: "applied", run };
}
