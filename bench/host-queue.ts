/**
 * The Functions host's queue trigger as the benchmark plays it against Azurite, closer to the
 * host than dev/local-host's pump: it fetches `batchSize` messages whenever no more than
 * `newBatchThreshold` are in flight (so one long scan never holds back the next batch), backs off
 * its polling up to maxPollingInterval while the queue is empty, retries failures after a
 * visibility delay and poisons after maxDequeueCount (host.json extensions.queues).
 */
import functionsRuntime, { type StorageQueueHandler } from "@azure/functions";
import type { QueueClient } from "@azure/storage-queue";
import { decodeMessage } from "../shared/queue/queue-client.js";

const { InvocationContext } = functionsRuntime;

export interface HostQueueOptions {
  readonly functionName: string;
  readonly queue: QueueClient;
  readonly poisonQueue: QueueClient;
  readonly handler: StorageQueueHandler;
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxDequeueCount: number;
  /** Real ms; the host doubles its wait per empty poll up to this. */
  readonly maxPollingIntervalInMs: number;
  /** Real seconds a failed message stays invisible before its retry. */
  readonly retryVisibilityInSeconds: number;
  readonly warn?: (line: string) => void;
  /** The function's context.log lines. */
  readonly log?: (line: string) => void;
}

export interface HostQueueTotals {
  handled: number;
  failed: number;
  poisoned: number;
}

const MIN_POLL_MS = 5;
/** Long enough that no message comes back while its invocation still runs. */
const PROCESSING_VISIBILITY_SECONDS = 3_600;

/** Runs until `done()` is true at a moment when nothing is in flight and the queue is empty. */
export async function runHostQueue(options: HostQueueOptions, done: () => Promise<boolean>): Promise<HostQueueTotals> {
  const totals: HostQueueTotals = { handled: 0, failed: 0, poisoned: 0 };
  const inFlight = new Set<Promise<void>>();
  let poll = MIN_POLL_MS;
  await options.queue.createIfNotExists();
  for (;;) {
    if (inFlight.size > options.newBatchThreshold) {
      await Promise.race(inFlight);
      continue;
    }
    const received = await options.queue.receiveMessages({ numberOfMessages: options.batchSize, visibilityTimeout: PROCESSING_VISIBILITY_SECONDS });
    for (const item of received.receivedMessageItems) {
      const run: Promise<void> = invoke(options, item, totals).finally(() => inFlight.delete(run));
      inFlight.add(run);
    }
    if (received.receivedMessageItems.length > 0) {
      poll = MIN_POLL_MS;
      continue;
    }
    if (inFlight.size === 0 && (await done())) return totals;
    await Promise.race([sleep(poll), ...inFlight]);
    poll = Math.min(poll * 2, options.maxPollingIntervalInMs);
  }
}

async function invoke(
  options: HostQueueOptions,
  item: { messageId: string; popReceipt: string; dequeueCount: number; messageText: string; insertedOn: Date },
  totals: HostQueueTotals,
): Promise<void> {
  const context = new InvocationContext({
    functionName: options.functionName,
    triggerMetadata: { id: item.messageId, dequeueCount: item.dequeueCount, insertionTime: item.insertedOn, popReceipt: item.popReceipt },
    logHandler: (_level, ...args) => options.log?.(args.map(String).join(" ")),
  });
  try {
    await options.handler(decodeMessage(item.messageText), context);
    await options.queue.deleteMessage(item.messageId, item.popReceipt);
    totals.handled++;
  } catch (e) {
    totals.failed++;
    options.warn?.(`${options.functionName}: attempt ${item.dequeueCount} failed: ${e instanceof Error ? e.message : String(e)}`);
    if (item.dequeueCount >= options.maxDequeueCount) {
      await options.poisonQueue.createIfNotExists();
      await options.poisonQueue.sendMessage(item.messageText);
      await options.queue.deleteMessage(item.messageId, item.popReceipt);
      totals.poisoned++;
    } else {
      await options.queue.updateMessage(item.messageId, item.popReceipt, undefined, options.retryVisibilityInSeconds);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
