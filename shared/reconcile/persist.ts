/** Writes a reconciliation: events first, then findings. */
import type { FindingEventsRepository } from "../storage/findingEvents.js";
import type { FindingsRepository } from "../storage/findings.js";
import type { StorageOperationOptions } from "../storage/operations.js";
import type { ReconcileResult } from "./reconcile.js";

export interface ReconciliationStores {
  readonly findings: Pick<FindingsRepository, "applyChanges">;
  readonly events: Pick<FindingEventsRepository, "write">;
}

/**
 * Events before findings: reconcile derives events from the stored findings, so if we crash after
 * the events, the retried run sees the same stored state, derives the same events (same keys, an
 * overwrite) and then writes the findings. Findings first would make the retry see "no change"
 * and lose the events for good. Returns the number of transactions used.
 */
export async function saveReconciliation(
  stores: ReconciliationStores,
  tenantId: string,
  result: ReconcileResult,
  options: StorageOperationOptions = {},
): Promise<number> {
  const eventTransactions = await stores.events.write(tenantId, result.events, options);
  const findingTransactions = await stores.findings.applyChanges(tenantId, result.upserts, options);
  return eventTransactions + findingTransactions;
}
