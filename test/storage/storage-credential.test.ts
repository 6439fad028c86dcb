import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSettings } from "../../shared/config/settings.js";
import { storageCredential } from "../../shared/storage/connection.js";

/**
 * In Azure the app has only a user-assigned identity (infra/): the host signs in to storage with
 * AzureWebJobsStorage__clientId, and the code's Table and Queue clients must ask for that identity
 * too, or App Service's identity endpoint refuses the token request.
 */
const IDENTITY_CLIENT_ID = "8f6c1c2e-3b1d-4c0a-9e53-6f3f2a1b7c44";
const STORAGE_SCOPE = "https://storage.azure.com/.default";

describe("storage credential with a user-assigned identity", () => {
  let server: Server;
  const requests: URL[] = [];
  const saved = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };

  beforeAll(async () => {
    // App Service's managed identity endpoint: GET ?api-version=2019-08-01&resource=…&client_id=…
    server = createServer((request: IncomingMessage, response) => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      requests.push(url);
      const ok = request.headers["x-identity-header"] === "secret-header" && url.searchParams.get("client_id") === IDENTITY_CLIENT_ID;
      response.writeHead(ok ? 200 : 400, { "content-type": "application/json" });
      response.end(
        JSON.stringify(
          ok
            ? {
                access_token: "storage-token",
                expires_on: String(Math.floor(Date.now() / 1000) + 3600),
                resource: url.searchParams.get("resource"),
                token_type: "Bearer",
                client_id: IDENTITY_CLIENT_ID,
              }
            : { error: "invalid_request", error_description: "No system-assigned identity; client_id required." },
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.IDENTITY_ENDPOINT = `http://127.0.0.1:${(server.address() as AddressInfo).port}/msi/token`;
    process.env.IDENTITY_HEADER = "secret-header";
  });

  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await new Promise((resolve) => server.close(resolve));
  });

  it("reads AzureWebJobsStorage__clientId into the storage settings", () => {
    const storage = loadSettings({
      AzureWebJobsStorage__accountName: "patrolstore",
      AzureWebJobsStorage__clientId: IDENTITY_CLIENT_ID,
    }).storage;
    expect(storage).toEqual({ kind: "managedIdentity", accountName: "patrolstore", clientId: IDENTITY_CLIENT_ID, tablePrefix: "" });
  });

  it("refuses a client id that is not a GUID, naming the setting", () => {
    expect(() =>
      loadSettings({ AzureWebJobsStorage__accountName: "patrolstore", AzureWebJobsStorage__clientId: "patrol-identity" }),
    ).toThrow(/AzureWebJobsStorage__clientId must be the user-assigned managed identity's client id/);
  });

  it("asks the identity endpoint for a storage token as that identity", async () => {
    const storage = loadSettings({
      AzureWebJobsStorage__accountName: "patrolstore",
      AzureWebJobsStorage__clientId: IDENTITY_CLIENT_ID,
    }).storage;
    if (storage.kind !== "managedIdentity") throw new Error("expected managed identity storage");
    const credential = storageCredential(storage);
    expect(credential).toBeInstanceOf(ManagedIdentityCredential);
    expect(storageCredential(storage)).toBe(credential);

    const token = await credential.getToken(STORAGE_SCOPE);
    expect(token?.token).toBe("storage-token");
    const last = requests.at(-1);
    expect(last?.searchParams.get("client_id")).toBe(IDENTITY_CLIENT_ID);
    expect(last?.searchParams.get("resource")).toBe("https://storage.azure.com");
  });
});
