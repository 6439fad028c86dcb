/** Role assignments, PIM eligibility, group members and registration rows read through the fake Graph. */
import { describe, expect, it } from "vitest";
import { readGroupMembers, readRoleAssignments, readRoleEligibility, toRegistrationDetail } from "../../shared/collect/directory.js";
import { GLOBAL_ADMINISTRATOR } from "../../shared/model/roles.js";
import { FAKE_GRAPH_URL, FakeGraph, graphError, page } from "../graph/fake-graph.js";

const ASSIGNMENTS = "v1.0/roleManagement/directory/roleAssignments";
const ELIGIBILITY = "v1.0/roleManagement/directory/roleEligibilitySchedules";

const grant = (principalId: string, type: string) => ({
  id: `a-${principalId}`,
  principalId,
  roleDefinitionId: GLOBAL_ADMINISTRATOR.toUpperCase(),
  directoryScopeId: "/",
  principal: { "@odata.type": type, id: principalId },
});

describe("readRoleAssignments", () => {
  it("reads every page with the principal expanded and tells users, groups and apps apart", async () => {
    const next = `${FAKE_GRAPH_URL}${ASSIGNMENTS}?$skiptoken=2`;
    const graph = new FakeGraph().on(
      "GET",
      ASSIGNMENTS,
      page([grant("u1", "#microsoft.graph.user"), grant("g1", "#microsoft.graph.group")], next),
      page([
        grant("s1", "#microsoft.graph.servicePrincipal"),
        { ...grant("x1", "#microsoft.graph.device"), directoryScopeId: "/administrativeUnits/au1" },
        { ...grant("n1", ""), principal: null, directoryScopeId: undefined },
      ]),
    );
    expect(await readRoleAssignments(graph.client().client)).toEqual([
      { principalId: "u1", roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: "/", principalType: "user" },
      { principalId: "g1", roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: "/", principalType: "group" },
      { principalId: "s1", roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: "/", principalType: "servicePrincipal" },
      { principalId: "x1", roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: "/administrativeUnits/au1", principalType: "other" },
      { principalId: "n1", roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: "/", principalType: "other" },
    ]);
    expect(graph.requests[0]?.query).toEqual({ $expand: "principal", $top: "999" });
  });

  it("rejects an assignment without principalId or roleDefinitionId", async () => {
    const graph = new FakeGraph().on("GET", ASSIGNMENTS, page([{ id: "a1", roleDefinitionId: GLOBAL_ADMINISTRATOR }]));
    await expect(readRoleAssignments(graph.client().client)).rejects.toThrow(
      `Graph returned a /roleManagement/directory/roleAssignments item without principalId or roleDefinitionId`,
    );
  });
});

describe("readRoleEligibility", () => {
  it("reads PIM eligibility schedules the same way", async () => {
    const graph = new FakeGraph().on("GET", ELIGIBILITY, page([grant("u2", "#microsoft.graph.user")]));
    expect(await readRoleEligibility(graph.client().client)).toEqual([
      { principalId: "u2", roleDefinitionId: GLOBAL_ADMINISTRATOR, directoryScopeId: "/", principalType: "user" },
    ]);
  });

  it("passes Graph's licence refusal on (the source records it)", async () => {
    const graph = new FakeGraph().on("GET", ELIGIBILITY, graphError(400, "AadPremiumLicenseRequired"));
    await expect(readRoleEligibility(graph.client().client)).rejects.toMatchObject({ statusCode: 400, code: "AadPremiumLicenseRequired" });
  });
});

describe("readGroupMembers", () => {
  it("reads a group's direct members with their types", async () => {
    const graph = new FakeGraph().on(
      "GET",
      "v1.0/groups/g 1/members",
      page([{ "@odata.type": "#microsoft.graph.user", id: "u1" }, { "@odata.type": "#microsoft.graph.group", id: "g2" }, { id: "d1" }]),
    );
    expect(await readGroupMembers(graph.client().client, "g 1")).toEqual([
      { id: "u1", type: "user" },
      { id: "g2", type: "group" },
      { id: "d1", type: "other" },
    ]);
  });

  it("rejects a member without an id", async () => {
    const graph = new FakeGraph().on("GET", "v1.0/groups/g1/members", page([{ "@odata.type": "#microsoft.graph.user" }]));
    await expect(readGroupMembers(graph.client().client, "g1")).rejects.toThrow("Graph returned a member of group g1 without an id");
  });
});

describe("toRegistrationDetail", () => {
  it("keeps the flags the controls read, true only when Graph says true", () => {
    expect(
      toRegistrationDetail({
        id: "u1",
        userPrincipalName: "ada@contoso.com",
        isMfaRegistered: true,
        isSsprEnabled: "true",
        isSsprRegistered: false,
        methodsRegistered: ["fido2"],
      }),
    ).toEqual({
      id: "u1",
      userPrincipalName: "ada@contoso.com",
      isMfaRegistered: true,
      isSsprEnabled: false,
      isSsprRegistered: false,
    });
    expect(toRegistrationDetail({ id: "u2" }).userPrincipalName).toBe("");
  });

  it("rejects a row without an id", () => {
    expect(() => toRegistrationDetail({ userPrincipalName: "ada@contoso.com" })).toThrow(
      "Graph returned a userRegistrationDetails row without an id",
    );
  });
});
