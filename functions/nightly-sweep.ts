import type { InvocationContext, Timer } from "@azure/functions";
import { startSweep } from "../shared/sweep/start-sweep.js";
import { sweepServices } from "../shared/sweep/services.js";

/**
 * Timer: opens tonight's run and fans out one scan message per tenant. The run is named after the
 * minute the timer fired, so a retried or double-fired timer reuses it instead of starting another.
 */
export async function nightlySweep(timer: Timer, context: InvocationContext): Promise<void> {
  const firedAt = new Date();
  firedAt.setUTCSeconds(0, 0);
  if (timer.isPastDue) context.warn("nightly-sweep is running late (past due)");
  const sweep = await startSweep(sweepServices(), { asOf: firedAt, startedAt: firedAt, trigger: "timer" });
  context.log(`nightly-sweep: run ${sweep.runId}, ${sweep.tenantIds.length} tenant(s), ${sweep.enqueued} scan message(s) sent`);
}
