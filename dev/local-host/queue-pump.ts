import functionsRuntime, { type StorageQueueHandler } from "@azure/functions";
import type { QueueClient } from "@azure/storage-queue";
import pLimit from "p-limit";
import { decodeMessage, MAX_DEQUEUE_COUNT } from "../../shared/queue/queue-client.js";

/**
 * Plays the Functions host's queue trigger against Azurite: receive, decode base64 JSON, call the
 * handler with the trigger metadata, delete on success, leave for a retry on failure, and move to
 * `<queue>-poison` after maxDequeueCount attempts (host.json), as the host does.
 */
export interface QueuePumpOptions {
  readonly functionName: string;
  readonly handler: StorageQueueHandler;
  readonly queue: QueueClient;
  readonly poisonQueue: QueueClient;
  /** host.json extensions.queues: batchSize + newBatchThreshold messages in flight. */
  readonly concurrency?: number;
  /** Default MAX_DEQUEUE_COUNT, host.json's. */
  readonly maxDequeueCount?: number;
  /** Seconds a failed message stays invisible before its retry. */
  readonly retryVisibilityInSeconds?: number;
  /** The handler's context.log lines. */
  readonly log?: (line: string) => void;
  /** Failed attempts and poisoned messages. */
  readonly warn?: (line: string) => void;
}

export interface PumpResult {
  readonly handled: number;
  readonly failed: number;
  readonly poisoned: number;
}

const RECEIVE_BATCH = 32;

// @azure/functions is a CommonJS bundle whose classes Node's ESM loader cannot see as named exports.
const { InvocationContext } = functionsRuntime;

/**
 * Handles messages until `done()` says so, or until the queue is empty (nothing visible or
 * waiting for a retry), so a poisoned message cannot keep the caller waiting forever.
 */
export async function pumpUntil(options: QueuePumpOptions, done: () => Promise<boolean>, idleWaitInMs = 200): Promise<PumpResult> {
  const totals = { handled: 0, failed: 0, poisoned: 0 };
  await options.queue.createIfNotExists();
  while (!(await done())) {
    const result = await pumpOnce(options);
    totals.handled += result.handled;
    totals.failed += result.failed;
    totals.poisoned += result.poisoned;
    if (result.handled + result.failed > 0) continue;
    if ((await options.queue.getProperties()).approximateMessagesCount === 0) break;
    await new Promise((r) => setTimeout(r, idleWaitInMs));
  }
  return totals;
}

export async function pumpOnce(options: QueuePumpOptions): Promise<PumpResult> {
  const received = await options.queue.receiveMessages({ numberOfMessages: RECEIVE_BATCH, visibilityTimeout: 600 });
  const limit = pLimit(options.concurrency ?? 6);
  const totals = { handled: 0, failed: 0, poisoned: 0 };
  await Promise.all(received.receivedMessageItems.map((item) => limit(() => deliverMessage(options, item, totals))));
  return totals;
}

/** A received message, as the host hands it to a function. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly popReceipt: string;
  readonly dequeueCount: number;
  readonly messageText: string;
  readonly insertedOn: Date;
}

/**
 * One delivery as the host makes it: the handler with the trigger metadata, then delete on
 * success; on failure a retry after `retryVisibilityInSeconds`, or `<queue>-poison` after
 * maxDequeueCount attempts. Counts the outcome in `totals`.
 */
export async function deliverMessage(
  options: QueuePumpOptions,
  item: ReceivedMessage,
  totals: { handled: number; failed: number; poisoned: number },
): Promise<void> {
  const { queue, maxDequeueCount = MAX_DEQUEUE_COUNT, retryVisibilityInSeconds = 1 } = options;
  const context = new InvocationContext({
    functionName: options.functionName,
    triggerMetadata: { id: item.messageId, dequeueCount: item.dequeueCount, insertionTime: item.insertedOn, popReceipt: item.popReceipt },
    logHandler: (_level, ...args) => options.log?.(args.map(String).join(" ")),
  });
  try {
    await options.handler(decodeMessage(item.messageText), context);
    await queue.deleteMessage(item.messageId, item.popReceipt);
    totals.handled++;
  } catch (e) {
    totals.failed++;
    options.warn?.(`${options.functionName}: attempt ${item.dequeueCount} failed: ${e instanceof Error ? e.message : String(e)}`);
    if (item.dequeueCount >= maxDequeueCount) {
      await options.poisonQueue.createIfNotExists();
      await options.poisonQueue.sendMessage(item.messageText);
      await queue.deleteMessage(item.messageId, item.popReceipt);
      totals.poisoned++;
    } else {
      await queue.updateMessage(item.messageId, item.popReceipt, undefined, retryVisibilityInSeconds);
    }
  }
}
