import { z } from "zod";
import { SINK_ID } from "../model/events.js";
import { isRunId } from "../storage/keys.js";
import { parseQueueMessage } from "./parse.js";

/** Sent by a tenant's scan as its run ends (completed, partial or failed): fan the run's events out to its sinks. */
export const NOTIFY_EVENTS_QUEUE = "notify-events";
/** One message per (tenant, run, sink): one delivery, retried with backoff by sending itself again later. */
export const NOTIFY_DELIVERY_QUEUE = "notify-delivery";

const runOfTenant = {
  runId: z.string().refine(isRunId, "must be a run id such as 20261128T020000.000Z"),
  tenantId: z.guid("must be a tenant id (GUID)"),
};

const NotifyEventsMessageSchema = z.object(runOfTenant);
const NotifyDeliveryMessageSchema = z.object({ ...runOfTenant, sinkId: z.string().regex(SINK_ID, "must be a sink id") });

export type NotifyEventsMessage = z.infer<typeof NotifyEventsMessageSchema>;
export type NotifyDeliveryMessage = z.infer<typeof NotifyDeliveryMessageSchema>;

export function parseNotifyEventsMessage(message: unknown): NotifyEventsMessage {
  return parseQueueMessage(NotifyEventsMessageSchema, NOTIFY_EVENTS_QUEUE, message);
}

export function parseNotifyDeliveryMessage(message: unknown): NotifyDeliveryMessage {
  return parseQueueMessage(NotifyDeliveryMessageSchema, NOTIFY_DELIVERY_QUEUE, message);
}
