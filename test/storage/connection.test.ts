import { describe, expect, it } from "vitest";
import { TableStore, createTableClient, tableStoreFromSettings } from "../../shared/storage/connection.js";
import { azuriteConnectionString, uniquePrefix } from "./store.js";

describe("TableStore", () => {
  it("creates each table once and tolerates a table that already exists", async () => {
    const setting = { connectionString: azuriteConnectionString() };
    const prefix = uniquePrefix();
    const first = new TableStore(setting, { tableNamePrefix: prefix });
    const client = await first.table("Things");
    expect(await first.table("Things")).toBe(client);
    expect(client.tableName).toBe(`${prefix}Things`);
    await client.upsertEntity({ partitionKey: "p", rowKey: "r", n: 1 });

    const second = new TableStore(setting, { tableNamePrefix: prefix });
    const again = await second.table("Things");
    expect((await again.getEntity<{ n: number }>("p", "r")).n).toBe(1);
  });

  it("rejects prefixes and names that cannot make a table name", () => {
    expect(() => new TableStore({ connectionString: "UseDevelopmentStorage=true" }, { tableNamePrefix: "a-b" })).toThrow(RangeError);
    expect(() => new TableStore({ connectionString: "UseDevelopmentStorage=true" }, { tableNamePrefix: "1a" })).toThrow(RangeError);
    expect(() => new TableStore({ connectionString: "UseDevelopmentStorage=true" }).tableName("x_y")).toThrow(RangeError);
  });

  it("accepts UseDevelopmentStorage=true (http on 127.0.0.1:10002)", () => {
    const client = createTableClient({ connectionString: "UseDevelopmentStorage=true" }, "Tenants");
    expect(client.url).toBe("http://127.0.0.1:10002/devstoreaccount1");
  });

  it("allows plain http to development storage only, whatever was created before", () => {
    const production = "DefaultEndpointsProtocol=https;AccountName=patrolprod;AccountKey=a2V5;EndpointSuffix=core.windows.net";
    createTableClient({ connectionString: "UseDevelopmentStorage=true" }, "Tenants");
    const client = createTableClient({ connectionString: production }, "Tenants");
    expect((client as unknown as { allowInsecureConnection: boolean }).allowInsecureConnection).toBe(false);
  });

  it("talks plain http to the explicit Azurite string", async () => {
    const client = createTableClient({ connectionString: azuriteConnectionString() }, `${uniquePrefix()}Plain`);
    expect(new URL(client.url).protocol).toBe("http:");
    await expect(client.createTable()).resolves.toBeUndefined();
  });
});

describe("tableStoreFromSettings", () => {
  it("uses the connection string and the table prefix from the settings", async () => {
    const tablePrefix = uniquePrefix();
    const store = tableStoreFromSettings({ kind: "connectionString", connectionString: azuriteConnectionString(), tablePrefix });
    expect((await store.table("Tenants")).tableName).toBe(`${tablePrefix}Tenants`);
  });

  it("uses the account's https table endpoint with a token credential for managed identity", () => {
    const credential = { getToken: () => Promise.resolve(null) };
    expect(createTableClient({ accountName: "patrolprod", credential }, "Tenants").url).toBe("https://patrolprod.table.core.windows.net");
  });
});
