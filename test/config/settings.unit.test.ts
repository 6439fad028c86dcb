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

  describe("Graph credential modes: exactly one, and the one GRAPH_CREDENTIAL_MODE names", () => {
    const app = { ...minimal, GRAPH_CLIENT_ID: "11111111-2222-3333-4444-555555555555" };
    const identity = "21111111-2222-3333-4444-555555555555";

    it("reads a managed identity trusted by the app registration", () => {
      expect(
        loadSettings({ ...app, GRAPH_CREDENTIAL_MODE: "managed-identity", GRAPH_MANAGED_IDENTITY_CLIENT_ID: identity }).graph.credential,
      ).toEqual({
        kind: "managed-identity",
        clientId: app.GRAPH_CLIENT_ID,
        managedIdentityClientId: identity,
      });
    });

    it("reads a certificate as PEM text or as a file, and the mode may be implied by its setting", () => {
      expect(loadSettings({ ...app, GRAPH_CLIENT_CERTIFICATE: "-----BEGIN PRIVATE KEY-----" }).graph.credential).toMatchObject({
        kind: "certificate",
        certificate: { pem: "-----BEGIN PRIVATE KEY-----" },
      });
      expect(loadSettings({ ...app, GRAPH_CLIENT_CERTIFICATE_PATH: "/app.pem" }).graph.credential).toMatchObject({
        kind: "certificate",
        certificate: { path: "/app.pem" },
      });
    });

    it("refuses two credentials at once, naming both", () => {
      expect(() => loadSettings({ ...app, GRAPH_MANAGED_IDENTITY_CLIENT_ID: identity, GRAPH_CLIENT_SECRET: "s3cret" })).toThrow(
        /GRAPH_CREDENTIAL_MODE settings of several credentials are set \(GRAPH_MANAGED_IDENTITY_CLIENT_ID; GRAPH_CLIENT_SECRET\): keep exactly one/,
      );
      expect(() => loadSettings({ ...app, GRAPH_CLIENT_CERTIFICATE: "pem", GRAPH_CLIENT_CERTIFICATE_PATH: "/app.pem" })).toThrow(
        /GRAPH_CLIENT_CERTIFICATE and GRAPH_CLIENT_CERTIFICATE_PATH are both set/,
      );
    });

    it("names the setting the chosen mode is missing, and the client id", () => {
      expect(() => loadSettings({ ...app, GRAPH_CREDENTIAL_MODE: "managed-identity" })).toThrow(
        /GRAPH_MANAGED_IDENTITY_CLIENT_ID is required when GRAPH_CREDENTIAL_MODE=managed-identity/,
      );
      expect(() => loadSettings({ ...app, GRAPH_CREDENTIAL_MODE: "certificate", GRAPH_CLIENT_SECRET: "s3cret" })).toThrow(
        /GRAPH_CLIENT_CERTIFICATE is required when GRAPH_CREDENTIAL_MODE=certificate/,
      );
      expect(() => loadSettings({ ...minimal, GRAPH_CLIENT_SECRET: "s3cret" })).toThrow(
        /GRAPH_CLIENT_ID is required with a Graph credential/,
      );
      expect(() => loadSettings({ ...app, GRAPH_CREDENTIAL_MODE: "password" })).toThrow(
        /GRAPH_CREDENTIAL_MODE must be one of managed-identity, certificate, secret/,
      );
    });
  });

  it("uses managed identity storage when only the account name is set", () => {
    expect(loadSettings({ AzureWebJobsStorage__accountName: "patrolstore" }).storage).toEqual({
      kind: "managedIdentity",
      accountName: "patrolstore",
      tablePrefix: "",
    });
  });

  it("names every bad setting and never echoes a secret", () => {
    const attempt = () =>
      loadSettings({
        GRAPH_CLIENT_ID: "not-a-guid",
        GRAPH_CLIENT_SECRET: "top-secret-value",
        GRAPH_CLIENT_CERTIFICATE_PATH: "/x.pem",
        SWEEP_SCHEDULE: "daily",
        GRAPH_BASE_URL: "http://graph.local/",
      });
    expect(attempt).toThrow(SettingsError);
    const message = (() => {
      try {
        attempt();
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })();
    for (const name of ["AzureWebJobsStorage", "GRAPH_CLIENT_ID", "GRAPH_CLIENT_SECRET", "SWEEP_SCHEDULE", "GRAPH_BASE_URL"])
      expect(message).toContain(name);
    expect(message).not.toContain("top-secret-value");
  });

  it("requires tenant ids when tenants come from settings, and checks them", () => {
    expect(() => loadSettings({ ...minimal, TENANTS_SOURCE: "setting" })).toThrow(/TENANT_IDS is required/);
    expect(() => loadSettings({ ...minimal, TENANTS_SOURCE: "setting", TENANT_IDS: "contoso" })).toThrow(
      /"contoso", which is not a tenant id/,
    );
    const s = loadSettings({
      ...minimal,
      TENANTS_SOURCE: "setting",
      TENANT_IDS: "11111111-2222-3333-4444-555555555555, 21111111-2222-3333-4444-555555555555",
    });
    expect(s.tenants).toEqual({
      source: "setting",
      tenantIds: ["11111111-2222-3333-4444-555555555555", "21111111-2222-3333-4444-555555555555"],
    });
  });

  it("treats empty settings as unset, as the Functions host passes them", () => {
    expect(loadSettings({ ...minimal, SWEEP_SCHEDULE: "" }).sweepSchedule).toBe("0 0 2 * * *");
  });

  describe("approval settings", () => {
    const secret = (fill: number) => Buffer.alloc(32, fill).toString("base64");
    const approvals = {
      ...minimal,
      APPROVAL_SIGNING_KEYS: `2026-11:${secret(1)}, 2026-05:${secret(2)}`,
      PUBLIC_BASE_URL: "https://patrol.contoso.com/",
      MAIL_SENDER: "patrol@contoso.com",
    };

    it("are off until configured", () => {
      expect(loadSettings(minimal).approvals).toBeUndefined();
    });

    it("reads keys (first signs), the default 72 h TTL, the base URL without its trailing slash, and the sender", () => {
      const s = loadSettings(approvals).approvals;
      expect(s?.signingKeys.map((k) => k.kid)).toEqual(["2026-11", "2026-05"]);
      expect(s?.signingKeys[0].secret).toEqual(new Uint8Array(32).fill(1));
      expect(s).toMatchObject({
        ttlHours: 72,
        publicBaseUrl: "https://patrol.contoso.com",
        mailSender: "patrol@contoso.com",
        mailTenantId: undefined,
      });
      const custom = loadSettings({
        ...approvals,
        APPROVAL_TTL_HOURS: "24",
        MAIL_TENANT_ID: "11111111-2222-3333-4444-555555555555",
        MAIL_SENDER: "21111111-2222-3333-4444-555555555555",
      }).approvals;
      expect(custom).toMatchObject({
        ttlHours: 24,
        mailTenantId: "11111111-2222-3333-4444-555555555555",
        mailSender: "21111111-2222-3333-4444-555555555555",
      });
    });

    it("allows http only for localhost", () => {
      expect(loadSettings({ ...approvals, PUBLIC_BASE_URL: "http://localhost:7071" }).approvals?.publicBaseUrl).toBe(
        "http://localhost:7071",
      );
      expect(() => loadSettings({ ...approvals, PUBLIC_BASE_URL: "http://patrol.contoso.com" })).toThrow(
        /PUBLIC_BASE_URL must be an https:\/\/ URL \(http:\/\/ only for localhost\)/,
      );
      expect(() => loadSettings({ ...approvals, PUBLIC_BASE_URL: "https://patrol.contoso.com/?x=1" })).toThrow(
        /PUBLIC_BASE_URL must not contain credentials, a query or a fragment/,
      );
      expect(() => loadSettings({ ...approvals, PUBLIC_BASE_URL: "patrol.contoso.com" })).toThrow(
        /PUBLIC_BASE_URL must be an absolute URL/,
      );
    });

    it("names the missing ones when only some are set", () => {
      expect(() => loadSettings({ ...minimal, MAIL_SENDER: "patrol@contoso.com" })).toThrow(
        /APPROVAL_SIGNING_KEYS is required for approval emails[\s\S]*PUBLIC_BASE_URL is required for approval emails/,
      );
    });

    it("checks the TTL, the sender and the mail tenant", () => {
      for (const ttl of ["0", "1.5", "abc", "721"])
        expect(() => loadSettings({ ...approvals, APPROVAL_TTL_HOURS: ttl }), ttl).toThrow(/APPROVAL_TTL_HOURS/);
      expect(() => loadSettings({ ...approvals, MAIL_SENDER: "patrol" })).toThrow(/MAIL_SENDER must be the sending mailbox's UPN/);
      expect(() => loadSettings({ ...approvals, MAIL_TENANT_ID: "contoso" })).toThrow(/MAIL_TENANT_ID must be the tenant id/);
    });

    it("explains a bad key without echoing any secret", () => {
      const short = Buffer.alloc(16, 9).toString("base64");
      const attempt = () => loadSettings({ ...approvals, APPROVAL_SIGNING_KEYS: `k1:${short},${secret(3)}` });
      expect(attempt).toThrow(/APPROVAL_SIGNING_KEYS is invalid: entry 1: the secret is 16 bytes; it must be at least 32/);
      let message = "";
      try {
        loadSettings({ ...approvals, APPROVAL_SIGNING_KEYS: `${secret(3)}:k1` });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/APPROVAL_SIGNING_KEYS is invalid/);
      expect(message).not.toContain(secret(3).slice(0, 12));
      expect(message).not.toContain(short.slice(0, 12));
    });
  });
});
