/** NOTIFY_SINKS and a tenant's sinks: the same format, errors that name the problem and never a secret. */
import { describe, expect, it } from "vitest";
import { loadSettings } from "../../shared/config/settings.js";
import { parseTenantRecord } from "../../shared/tenants/schema.js";

const BASE = { AzureWebJobsStorage: "UseDevelopmentStorage=true" };
const SECRET = "s3cr3t-".repeat(6);

describe("NOTIFY_SINKS", () => {
  it("reads the fleet's sinks", () => {
    const sinks = [{ id: "psa", kind: "webhook", url: "https://psa.example/hook", secret: SECRET, minSeverity: "medium" }];
    expect(loadSettings({ ...BASE, NOTIFY_SINKS: JSON.stringify(sinks) }).notify.sinks).toEqual(sinks);
    expect(loadSettings(BASE).notify.sinks).toEqual([]);
  });

  it("names the problem, never the text (a secret is in it)", () => {
    const bad = `[{"id":"psa","kind":"webhook","url":"http://psa.example","secret":"${SECRET}"`;
    expect(() => loadSettings({ ...BASE, NOTIFY_SINKS: bad })).toThrow(/NOTIFY_SINKS is not valid JSON/);
    const http = JSON.stringify([{ id: "psa", kind: "webhook", url: "http://psa.example", secret: SECRET }]);
    expect(() => loadSettings({ ...BASE, NOTIFY_SINKS: http })).toThrow(/NOTIFY_SINKS 0\.url must be an https:\/\/ URL/);
    try {
      loadSettings({ ...BASE, NOTIFY_SINKS: http });
    } catch (error) {
      expect(String(error)).not.toContain(SECRET);
    }
  });

  it("rejects duplicate ids, short secrets and an email sink without MAIL_SENDER", () => {
    const twice = JSON.stringify([
      { id: "a", kind: "teams", url: "https://t.example" },
      { id: "a", kind: "teams", url: "https://u.example" },
    ]);
    expect(() => loadSettings({ ...BASE, NOTIFY_SINKS: twice })).toThrow(/"a" is used by another sink/);
    const short = JSON.stringify([{ id: "a", kind: "webhook", url: "https://t.example", secret: "short" }]);
    expect(() => loadSettings({ ...BASE, NOTIFY_SINKS: short })).toThrow(/secret must be at least 32 characters/);
    const mail = JSON.stringify([{ id: "m", kind: "email", to: ["noc@msp.example"] }]);
    expect(() => loadSettings({ ...BASE, NOTIFY_SINKS: mail })).toThrow(/MAIL_SENDER is required when NOTIFY_SINKS has an email sink/);
  });
});

describe("a tenant's sinks", () => {
  const tenant = (sinks: unknown) => ({
    tenantId: "11111111-1111-4111-8111-111111111111",
    displayName: "Contoso",
    config: { exclusions: { userIds: [], groupIds: [] }, approvers: [], notify: { sinks } },
  });

  it("are validated like the fleet's", () => {
    expect(parseTenantRecord(tenant([{ id: "t", kind: "teams", url: "https://t.example" }])).config.notify?.sinks).toHaveLength(1);
    expect(() => parseTenantRecord(tenant([{ id: "t", kind: "teams", url: "http://t.example" }]))).toThrow(/config\.notify\.sinks\.0\.url/);
    expect(() => parseTenantRecord(tenant([{ id: "t", kind: "teams", url: "https://t.example", allowLoopback: true }]))).toThrow(
      /Unrecognized key/,
    );
  });
});
