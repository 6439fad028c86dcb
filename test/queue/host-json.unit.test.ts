/** host.json and the code agree on the queue settings the code depends on. */
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect, it } from "vitest";
import { MAX_DEQUEUE_COUNT } from "../../shared/queue/queue-client.js";

const HOST_JSON = path.resolve(import.meta.dirname, "../../host.json");

it("poisons a queue message after MAX_DEQUEUE_COUNT attempts, as the code that records the last attempt expects", () => {
  const host = JSON.parse(readFileSync(HOST_JSON, "utf8")) as { extensions: { queues: { maxDequeueCount: unknown } } };
  expect(host.extensions.queues.maxDequeueCount).toBe(MAX_DEQUEUE_COUNT);
});
