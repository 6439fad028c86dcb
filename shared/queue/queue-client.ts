import { QueueClient } from "@azure/storage-queue";
import type { StorageSettings } from "../config/settings.js";
import { storageCredential } from "../storage/connection.js";

/**
 * host.json extensions.queues.maxDequeueCount: the attempt after which the host moves a message
 * to `<queue>-poison`. The code that must know it reads it here; a test holds host.json to it.
 */
export const MAX_DEQUEUE_COUNT = 5;

/** The Functions host expects base64 message bodies by default (host.json messageEncoding). */
export function encodeMessage(message: unknown): string {
  return Buffer.from(JSON.stringify(message), "utf8").toString("base64");
}

export function decodeMessage(text: string): unknown {
  return JSON.parse(Buffer.from(text, "base64").toString("utf8")) as unknown;
}

export function createQueueClient(storage: StorageSettings, queueName: string): QueueClient {
  return storage.kind === "connectionString"
    ? new QueueClient(storage.connectionString, queueName)
    : new QueueClient(`https://${storage.accountName}.queue.core.windows.net/${queueName}`, storageCredential(storage));
}

/** Sends each message once; a queue that does not exist yet is created first. */
export async function enqueueAll(queue: QueueClient, messages: readonly unknown[]): Promise<void> {
  await queue.createIfNotExists();
  for (const message of messages) await queue.sendMessage(encodeMessage(message));
}

/** Sends one message that stays invisible for `delayInSeconds` (a retry with backoff; the service allows up to 7 days). */
export async function enqueueLater(queue: QueueClient, message: unknown, delayInSeconds: number): Promise<void> {
  await queue.createIfNotExists();
  await queue.sendMessage(encodeMessage(message), { visibilityTimeout: Math.max(0, Math.ceil(delayInSeconds)) });
}
