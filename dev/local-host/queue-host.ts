/**
 * Plays the Functions host's queue triggers for every queue function of the function table:
 * one background loop per queue, polling Azurite like the host does (a short wait when idle,
 * host.json maxPollingInterval), through pumpOnce (decode, retry, poison).
 */
import type { StorageSettings } from "../../shared/config/settings.js";
import { createQueueClient } from "../../shared/queue/queue-client.js";
import type { FunctionDefinition } from "../../functions/registry.js";
import { pumpOnce } from "./queue-pump.js";

export interface QueueHostOptions {
  readonly functions: readonly FunctionDefinition[];
  readonly storage: StorageSettings;
  /** Wait between polls of an empty queue. Default 1 s. */
  readonly idleWaitInMs?: number;
  readonly log?: (line: string) => void;
  readonly warn?: (line: string) => void;
}

export interface QueueHost {
  /** Queue names being pumped. */
  readonly queues: readonly string[];
  stop(): Promise<void>;
}

export function startQueueHost(options: QueueHostOptions): QueueHost {
  const idleWait = options.idleWaitInMs ?? 1000;
  const controller = new AbortController();
  const loops = options.functions.flatMap((definition) => {
    if (definition.trigger !== "queue") return [];
    const queue = createQueueClient(options.storage, definition.queueName);
    const poisonQueue = createQueueClient(options.storage, `${definition.queueName}-poison`);
    let created = false;
    const loop = async () => {
      while (!controller.signal.aborted) {
        let busy = false;
        try {
          if (!created) {
            await queue.createIfNotExists();
            created = true;
          }
          const result = await pumpOnce({
            functionName: definition.name,
            handler: definition.handler,
            queue,
            poisonQueue,
            ...(options.log ? { log: options.log } : {}),
            ...(options.warn ? { warn: options.warn } : {}),
          });
          busy = result.handled + result.failed > 0;
        } catch (error) {
          // Azurite unreachable for a moment (or stopping): report and keep polling until stopped.
          if (!controller.signal.aborted) options.warn?.(`${definition.name}: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (!busy) await sleep(idleWait, controller.signal);
      }
    };
    return [{ name: definition.queueName, done: loop() }];
  });
  return {
    queues: loops.map((l) => l.name),
    async stop() {
      controller.abort();
      await Promise.allSettled(loops.map((l) => l.done));
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
