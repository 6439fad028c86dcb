/**
 * The Functions host's queue trigger as the benchmark plays it against Azurite, closer to the
 * host than dev/local-host's pump: it fetches `batchSize` messages whenever no more than
 * `newBatchThreshold` are in flight (so one long scan never holds back the next batch), backs off
 * its polling up to maxPollingInterval while the queue is empty, retries failures after a
 * visibility delay and poisons after maxDequeueCount (host.json extensions.queues).
 */
import { deliverMessage, type QueuePumpOptions } from "../dev/local-host/queue-pump.js";

/** The function and queue as dev/local-host's pump takes them, plus host.json's queue settings. */
export interface HostQueueOptions extends QueuePumpOptions {
  readonly batchSize: number;
  readonly newBatchThreshold: number;
  readonly maxDequeueCount: number;
  /** Real ms; the host doubles its wait per empty poll up to this. */
  readonly maxPollingIntervalInMs: number;
  /** Real seconds a failed message stays invisible before its retry. */
  readonly retryVisibilityInSeconds: number;
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
    const received = await options.queue.receiveMessages({
      numberOfMessages: options.batchSize,
      visibilityTimeout: PROCESSING_VISIBILITY_SECONDS,
    });
    for (const item of received.receivedMessageItems) {
      const run: Promise<void> = deliverMessage(options, item, totals).finally(() => inFlight.delete(run));
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
