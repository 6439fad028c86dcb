/** National clouds: the token scope follows GRAPH_BASE_URL, and settings refuse a cross-cloud pair. */
import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "../../shared/config/settings.js";
import { createGraphClient } from "../../shared/graph/client.js";
import { cloudMismatch, graphScope } from "../../shared/config/clouds.js";

describe("graphScope", () => {
  it.each([
    ["https://graph.microsoft.com/", "https://graph.microsoft.com/.default"],
    ["https://graph.microsoft.us/", "https://graph.microsoft.us/.default"],
    ["https://dod-graph.microsoft.us", "https://dod-graph.microsoft.us/.default"],
    ["https://microsoftgraph.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default"],
    // The simulator stands in for global Graph and issues tokens for it only.
    ["https://localhost:8443/", "https://graph.microsoft.com/.default"],
  ])("%s → %s", (baseUrl, scope) => {
    expect(graphScope(baseUrl)).toBe(scope);
  });
});

it("the Graph client asks its credential for its cloud's scope", async () => {
  const asked: string[][] = [];
  const credential = {
    getToken: (scopes: string | string[]) => {
      asked.push([scopes].flat());
      return Promise.reject(new Error("stop before the network"));
    },
  };
  const { client } = createGraphClient({ credential, baseUrl: "https://graph.microsoft.us/", retry: { maxRetries: 0 } });
  await expect(client.api("/organization").get()).rejects.toThrow("stop before the network");
  expect(asked).toEqual([["https://graph.microsoft.us/.default"]]);
});

describe("cloudMismatch", () => {
  it("accepts each cloud's own pair, and hosts outside the table", () => {
    expect(cloudMismatch("https://graph.microsoft.com/", "https://login.microsoftonline.com")).toBeUndefined();
    expect(cloudMismatch("https://graph.microsoft.us/", "https://login.microsoftonline.us")).toBeUndefined();
    expect(cloudMismatch("https://dod-graph.microsoft.us/", "https://login.microsoftonline.us")).toBeUndefined();
    expect(cloudMismatch("https://microsoftgraph.chinacloudapi.cn/", "https://login.chinacloudapi.cn")).toBeUndefined();
    expect(cloudMismatch("https://localhost:8443/", "https://login.microsoftonline.us")).toBeUndefined();
    expect(cloudMismatch("https://graph.microsoft.com/", "https://localhost:8443")).toBeUndefined();
  });

  it("names the authority that would work for a cross-cloud pair", () => {
    expect(cloudMismatch("https://graph.microsoft.us/", "https://login.microsoftonline.com")).toContain(
      "use https://login.microsoftonline.us",
    );
    expect(cloudMismatch("https://microsoftgraph.chinacloudapi.cn/", "https://login.microsoftonline.us")).toContain(
      "use https://login.chinacloudapi.cn",
    );
  });

  it("is a settings error naming GRAPH_AUTHORITY_HOST", () => {
    const env = { AzureWebJobsStorage: "UseDevelopmentStorage=true", GRAPH_BASE_URL: "https://graph.microsoft.us/" };
    expect(() => loadSettings(env)).toThrow(SettingsError);
    expect(() => loadSettings(env)).toThrow(/GRAPH_AUTHORITY_HOST is login\.microsoftonline\.com, which signs in to global/);
    expect(loadSettings({ ...env, GRAPH_AUTHORITY_HOST: "https://login.microsoftonline.us" }).graph.baseUrl).toBe(
      "https://graph.microsoft.us/",
    );
  });
});
