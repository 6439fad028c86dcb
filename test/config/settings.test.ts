import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "../../shared/config/settings.js";

const minimal = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };

describe("loadSettings", () => {
  it("applies the documented defaults", () => {
    const s = loadSettings(minimal);
    expect(s.sweepSchedule).toBe("0 0 2 * * *");
    expect(s.graph.baseUrl).toBe("https://graph.microsoft.com/");
    expect(s.graph.authorityHost).toBe("https://login.microsoftonline.com");
    expect(s.graph.credential).toBeUndefined();
    expect(s.tenants).toEqual({ source: "table" });
    expect(s.storage).toEqual({ kind: "connectionString", connectionString: "UseDevelopmentStorage=true", tablePrefix: "" });
  });

  it("reads a client-secret app registration", () => {
    const s = loadSettings({ ...minimal, GRAPH_CLIENT_ID: "11111111-2222-3333-4444-555555555555", GRAPH_CLIENT_SECRET: "s3cret" });
    expect(s.graph.credential).toEqual({ kind: "secret", clientId: "11111111-2222-3333-4444-555555555555", clientSecret: "s3cret" });
  });

  it("uses managed identity storage when only the account name is set", () => {
    expect(loadSettings({ AzureWebJobsStorage__accountName: "patrolstore" }).storage).toEqual({ kind: "managedIdentity", accountName: "patrolstore", tablePrefix: "" });
  });

  it("names every bad setting and never echoes a secret", () => {
    const attempt = () =>
      loadSettings({ GRAPH_CLIENT_ID: "not-a-guid", GRAPH_CLIENT_SECRET: "top-secret-value", GRAPH_CLIENT_CERTIFICATE_PATH: "/x.pem", SWEEP_SCHEDULE: "daily", GRAPH_BASE_URL: "http://graph.local/" });
    expect(attempt).toThrow(SettingsError);
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    for (const name of ["AzureWebJobsStorage", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET", "SWEEP_SCHEDULE", "GRAPH_BASE_URL"]) expect(message).toContain(name);
    expect(message).not.toContain("top-secret-value");
  });

  it("requires tenant ids when tenants come from settings, and checks them", () => {
    expect(() => loadSettings({ ...minimal, TENANTS_SOURCE: "setting" })).toThrow(/TENANT_IDS is required/);
    expect(() => loadSettings({ ...minimal, TENANTS_SOURCE: "setting", TENANT_IDS: "contoso" })).toThrow(/"contoso", which is not a tenant id/);
    const s = loadSettings({ ...minimal, TENANTS_SOURCE: "setting", TENANT_IDS: "11111111-2222-3333-4444-555555555555, 21111111-2222-3333-4444-555555555555" });
    expect(s.tenants).toEqual({ source: "setting", tenantIds: ["11111111-2222-3333-4444-555555555555", "21111111-2222-3333-4444-555555555555"] });
  });

  it("treats empty settings as unset, as the Functions host passes them", () => {
    expect(loadSettings({ ...minimal, SWEEP_SCHEDULE: "" }).sweepSchedule).toBe("0 0 2 * * *");
  });
});
