import type { InvocationContext } from "@azure/functions";
import { functionApp } from "../shared/app/wiring.js";
import { logLine } from "../shared/logging/log-text.js";
import { deliverToSink, fanOutRunEvents, type DeliverDeps, type FanOutDeps } from "../shared/notify/deliver.js";
import { parseNotifyDeliveryMessage, parseNotifyEventsMessage } from "../shared/queue/notify-message.js";

/** Queue trigger `notify-events`: one delivery message per sink of a tenant's ended run. */
export function notifyEventsFromQueue(queueItem: unknown, context: InvocationContext): Promise<void> {
  return handleNotifyEvents(functionApp(), queueItem, context);
}

/** Queue trigger `notify-delivery`: one sink's message for one tenant's run. */
export function notifyDeliveryFromQueue(queueItem: unknown, context: InvocationContext): Promise<void> {
  return handleNotifyDelivery(functionApp(), queueItem, context);
}

/** A run whose end is not written yet throws, and the host tries again after its visibility timeout. */
export async function handleNotifyEvents(deps: FanOutDeps, queueItem: unknown, context: InvocationContext): Promise<void> {
  const message = parseNotifyEventsMessage(queueItem);
  const sinks = await fanOutRunEvents(deps, message);
  context.log(logLine`notify-events ${message.tenantId} in run ${message.runId}: ${sinks.length} sink(s) ${sinks.join(", ")}`);
}

/**
 * The delivery retries itself (backoff through the queue) and poisons itself after its last
 * attempt; what throws here is storage, retried by the host like any queue function.
 */
export async function handleNotifyDelivery(deps: DeliverDeps, queueItem: unknown, context: InvocationContext): Promise<void> {
  const message = parseNotifyDeliveryMessage(queueItem);
  const result = await deliverToSink(deps, message);
  const line = logLine`notify-delivery ${message.tenantId} in run ${message.runId} to ${message.sinkId}: ${result.status} ${result.detail}`;
  if (result.status === "dead") context.warn(line);
  else context.log(line);
}
