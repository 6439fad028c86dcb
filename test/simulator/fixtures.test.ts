/** Fixture validation: every message names the file, the key and the problem. */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FixtureError, loadTenantFixture, parseTenantFixture, startGraphSimulator } from "../../dev/simulator/index.js";
import { groupId, TENANT_A, tenantFixture, user, userId } from "./helpers/fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sim-fixtures-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function problemsOf(json: unknown): string[] {
  try {
    parseTenantFixture(json, "contoso.json");
  } catch (error) {
    expect(error).toBeInstanceOf(FixtureError);
    expect((error as FixtureError).message).toMatch(/^Invalid tenant fixture contoso\.json:/);
    return [...(error as FixtureError).problems];
  }
  throw new Error("fixture was accepted");
}

const withGraph = (graph: Record<string, unknown>) => ({ ...tenantFixture(), graph });

describe("parseTenantFixture", () => {
  it("accepts a valid fixture and hands it back typed", () => {
    expect(parseTenantFixture(tenantFixture(), "ok.json").tenant.id).toBe(TENANT_A);
  });

  it.each([
    ["an unknown graph key", withGraph({ "v1.0/devices": [] }), 'graph["v1.0/devices"]: unknown key'],
    ["an unknown top-level key", { ...tenantFixture(), extra: 1 }, 'Unrecognized key: "extra"'],
    ["a bad licence", { ...tenantFixture(), tenant: { id: TENANT_A, displayName: "C", license: "e5" } }, "tenant.license: Invalid option"],
    [
      "a tenant id that is not a GUID",
      { ...tenantFixture(), tenant: { id: "contoso", displayName: "C", license: "p1" } },
      "tenant.id: must be a GUID",
    ],
    [
      "a wrong type",
      withGraph({ "v1.0/users": [user(1, { accountEnabled: "yes" as unknown as boolean })] }),
      'graph["v1.0/users"][0].accountEnabled: expected Edm.Boolean, got string "yes"',
    ],
    [
      "a property Graph doesn't have",
      withGraph({ "v1.0/users": [{ ...user(1), lastLogin: "x" }] }),
      "graph[\"v1.0/users\"][0].lastLogin: unknown property 'lastLogin': microsoft.graph.user has no such property",
    ],
    [
      "a date that is not a DateTimeOffset",
      withGraph({ "v1.0/users": [user(1, { signInActivity: { lastSignInDateTime: "yesterday" } })] }),
      'graph["v1.0/users"][0].signInActivity.lastSignInDateTime: expected Edm.DateTimeOffset',
    ],
    [
      "an enum value Graph doesn't have",
      withGraph({ "v1.0/identity/conditionalAccess/policies": [{ id: "p", displayName: "p", state: "on" }] }),
      'graph["v1.0/identity/conditionalAccess/policies"][0].state: expected one of conditionalAccessPolicyState',
    ],
    [
      "a user without userPrincipalName",
      withGraph({ "v1.0/users": [{ id: userId(1) }] }),
      "graph[\"v1.0/users\"][0].userPrincipalName: 'userPrincipalName' is required",
    ],
    ["duplicate ids", withGraph({ "v1.0/users": [user(1), user(1)] }), 'graph["v1.0/users"][1].id: duplicate id'],
    [
      "members of a group that doesn't exist",
      withGraph({ [`v1.0/groups/${groupId(1)}/members`]: [{ "@odata.type": "#microsoft.graph.user", id: userId(1) }] }),
      `no object with id '${groupId(1)}' in "v1.0/groups"`,
    ],
    [
      "members without @odata.type",
      withGraph({ "v1.0/groups": [{ id: groupId(1) }], [`v1.0/groups/${groupId(1)}/members`]: [{ id: userId(1) }] }),
      "'@odata.type' is required on members",
    ],
    [
      "a per-user MFA state Graph doesn't have",
      withGraph({ "v1.0/users": [user(1)], [`beta/users/${userId(1)}/authentication/requirements`]: { perUserMfaState: "on" } }),
      "perUserMfaState: expected one of perUserMfaState",
    ],
    [
      "an approver that is not an email",
      { ...tenantFixture(), config: { exclusions: { userIds: [], groupIds: [] }, approvers: ["it"] } },
      "config.approvers[0]: Invalid email address",
    ],
    [
      "exclusions that are not strings",
      { ...tenantFixture(), config: { exclusions: { userIds: [1], groupIds: [] }, approvers: [] } },
      "config.exclusions.userIds[0]",
    ],
    [
      "a root domain that is not verified",
      withGraph({ "v1.0/domains": [{ id: "contoso.com", isVerified: false, isRoot: true }] }),
      'graph["v1.0/domains"][0].isRoot: isRoot is true on a domain that is not verified',
    ],
  ])("rejects %s", (_, json, expected) => {
    expect(problemsOf(json).join("\n")).toContain(expected);
  });
});

describe("loadTenantFixture", () => {
  it("names the file on malformed JSON", async () => {
    const file = path.join(dir, "broken.json");
    await writeFile(file, '{"tenant": {');
    await expect(loadTenantFixture(file)).rejects.toThrow(
      new RegExp(`^Invalid tenant fixture ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:\\n  - malformed JSON: `),
    );
  });

  it("names the file, key and problem on a bad value", async () => {
    const file = path.join(dir, "bad.json");
    await writeFile(file, JSON.stringify(withGraph({ "v1.0/domains": [{ id: "contoso.com", passwordValidityPeriodInDays: "90" }] })));
    await expect(loadTenantFixture(file)).rejects.toThrow(
      `Invalid tenant fixture ${file}:\n  - graph["v1.0/domains"][0].passwordValidityPeriodInDays: expected Edm.Int32, got string "90"`,
    );
  });

  it("is what startGraphSimulator uses for paths", async () => {
    const file = path.join(dir, "good.json");
    await writeFile(file, JSON.stringify(tenantFixture()));
    const sim = await startGraphSimulator({ fixtures: [file] });
    expect(sim.tenantIds).toEqual([TENANT_A]);
    await sim.close();
    await expect(startGraphSimulator({ fixtures: [path.join(dir, "bad.json")] })).rejects.toBeInstanceOf(FixtureError);
  });
});

describe("cli", () => {
  const cli = path.resolve(import.meta.dirname, "../../dev/simulator/cli.ts");
  const tsx = path.resolve(import.meta.dirname, "../../node_modules/.bin/tsx");

  it("exits 1 with the fixture problem on a bad fixture", async () => {
    const error = (await promisify(execFile)(tsx, [cli, "--fixture", path.join(dir, "bad.json")]).catch((e: unknown) => e)) as {
      code: number;
      stderr: string;
    };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain(`Invalid tenant fixture ${path.join(dir, "bad.json")}`);
    expect(error.stderr).toContain("passwordValidityPeriodInDays");
  });

  it("exits 1 when no fixture is given", async () => {
    const error = (await promisify(execFile)(tsx, [cli]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toContain("at least one --fixture is required");
  });
});
