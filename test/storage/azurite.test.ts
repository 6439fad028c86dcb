import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startAzurite } from "../../dev/azurite.js";
import { createTableClient } from "../../shared/storage/connection.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("startAzurite", () => {
  it("keeps data in --location across a stop and a restart", async () => {
    const location = await mkdtemp(path.join(tmpdir(), "azurite-test-"));
    cleanups.push(() => rm(location, { recursive: true, force: true }));

    const first = await startAzurite({ location });
    cleanups.push(() => first.stop());
    expect(first.connectionString).toMatch(
      /^DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=.+;BlobEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;QueueEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;TableEndpoint=http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1;$/,
    );
    const table = createTableClient({ connectionString: first.connectionString }, "Kept");
    await table.createTable();
    await table.upsertEntity({ partitionKey: "p", rowKey: "r", value: "still here" });
    await first.stop();
    await first.stop();

    const second = await startAzurite({ location });
    cleanups.push(() => second.stop());
    const reopened = createTableClient({ connectionString: second.connectionString }, "Kept");
    expect((await reopened.getEntity<{ value: string }>("p", "r")).value).toBe("still here");
  });

  it("fails with a clear error when Azurite does not come up in time", async () => {
    await expect(startAzurite({ startTimeoutInMs: 1 })).rejects.toThrow(/Azurite did not listen within 1 ms\. Its output:/);
  });
});
