import { describe, expect, it } from "vitest";
import { isMember, memberUsers } from "../../shared/controls/groups.js";
import { failed, ok } from "./fixture.js";

const groups = {
  outer: ok([
    { id: "u1", type: "user" as const },
    { id: "sp1", type: "servicePrincipal" as const },
    { id: "inner", type: "group" as const },
  ]),
  inner: ok([
    { id: "u2", type: "user" as const },
    { id: "outer", type: "group" as const },
  ]),
  locked: failed("permission", "denied"),
};

describe("group membership", () => {
  it("follows nested groups (once, even in a cycle) and keeps users only", () => {
    expect(memberUsers(groups, "outer")).toEqual({ users: new Set(["u1", "u2"]), unreadable: [] });
  });

  it("is unproven when a group on the way is unreadable or was not collected", () => {
    expect(isMember(groups, "locked", "u1")).toEqual({
      unreadable: [{ source: "groupMembers/locked", reason: "permission", message: "denied" }],
    });
    expect(isMember(groups, "missing", "u1")).toEqual({
      unreadable: [{ source: "groupMembers/missing", reason: "error", message: "not collected" }],
    });
  });

  it("answers true or false when every group is readable", () => {
    expect([isMember(groups, "outer", "u2"), isMember(groups, "outer", "sp1")]).toEqual([true, false]);
  });
});
