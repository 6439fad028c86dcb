import { z } from "zod";
import { isRunId } from "../storage/keys.js";
import { parseQueueMessage } from "./parse.js";

/** Sent by a tenant's scan once its findings are stored: plan approval requests and email the digest. */
export const SEND_APPROVALS_QUEUE = "send-approvals";

const SendApprovalsMessageSchema = z.object({
  runId: z.string().refine(isRunId, "must be a run id such as 20261128T020000.000Z"),
  tenantId: z.guid("must be a tenant id (GUID)"),
});

export type SendApprovalsMessage = z.infer<typeof SendApprovalsMessageSchema>;

export function parseSendApprovalsMessage(message: unknown): SendApprovalsMessage {
  return parseQueueMessage(SendApprovalsMessageSchema, SEND_APPROVALS_QUEUE, message);
}
