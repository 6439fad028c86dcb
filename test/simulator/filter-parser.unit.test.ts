/** $filter parsing and evaluation on their own. */
import { describe, expect, it } from "vitest";
import { analyzeFilter, matchesFilter } from "../../dev/simulator/odata/filter-eval.js";
import { FilterSyntaxError, parseFilter } from "../../dev/simulator/odata/filter-parser.js";

const alice = {
  displayName: "Alice O'Neil",
  accountEnabled: true,
  jobTitle: null,
  signInActivity: { lastSignInDateTime: "2024-03-01T10:00:00Z" },
  methodsRegistered: ["email", "fido2"],
};
const matches = (filter: string, item: unknown = alice): boolean => matchesFilter(parseFilter(filter), item);

describe("parseFilter", () => {
  it("parses comparisons, in, functions, lambdas and precedence (and binds tighter than or)", () => {
    expect(parseFilter("a eq 1 or b eq 2 and c eq 3")).toMatchObject({ kind: "or", right: { kind: "and" } });
    expect(parseFilter("id in ('x','y')")).toMatchObject({ kind: "in", values: [{ value: "x" }, { value: "y" }] });
    expect(parseFilter("roleDefinitionId eq 62e90394-69f5-4237-9190-012177145e10")).toMatchObject({ value: { kind: "guid" } });
    expect(parseFilter("signInActivity/lastSignInDateTime le 2024-01-01T00:00:00Z")).toMatchObject({
      path: ["signInActivity", "lastSignInDateTime"],
      value: { kind: "datetime", epochMs: Date.parse("2024-01-01T00:00:00Z") },
    });
    expect(parseFilter("methodsRegistered/any(m:m eq 'email')")).toMatchObject({ kind: "any", variable: "m" });
  });

  it.each(["", "a eq", "eq 1", "a eq 1 b", "(a eq 1", "startsWith(a, 1)", "a eq 'x", "a ~ 1", "x/all(y:y eq 1)"])("rejects %j", (text) => {
    expect(() => parseFilter(text)).toThrow(FilterSyntaxError);
  });
});

describe("matchesFilter", () => {
  it.each([
    ["displayName eq 'alice o''neil'", true],
    ["accountEnabled eq true and jobTitle eq null", true],
    ["accountEnabled eq false or startsWith(displayName,'ali')", true],
    ["not(accountEnabled eq true)", false],
    ["endsWith(displayName,'NEIL')", true],
    ["signInActivity/lastSignInDateTime le 2024-01-01T00:00:00Z", false],
    ["signInActivity/lastSignInDateTime ge 2024-01-01T00:00:00Z", true],
    ["methodsRegistered/any(m:m eq 'fido2')", true],
    ["methodsRegistered/any(m:m eq 'sms')", false],
    ["jobTitle ne null", false],
  ])("%s → %s", (filter, expected) => {
    expect(matches(filter)).toBe(expected);
  });

  it("never matches ranges on a missing value (users who never signed in)", () => {
    const never = { displayName: "New" };
    expect(matches("signInActivity/lastSignInDateTime le 2030-01-01T00:00:00Z", never)).toBe(false);
    expect(matches("signInActivity/lastSignInDateTime ge 2000-01-01T00:00:00Z", never)).toBe(false);
  });
});

describe("analyzeFilter", () => {
  it("names the operator that needs an advanced query", () => {
    expect(analyzeFilter(parseFilter("accountEnabled eq true"), "user")).toBeUndefined();
    expect(analyzeFilter(parseFilter("accountEnabled eq true and userType ne 'Guest'"), "user")).toBe("ne");
    expect(analyzeFilter(parseFilter("endsWith(mail,'x')"), "user")).toBe("endsWith");
  });

  it("rejects unknown properties, also nested ones", () => {
    expect(() => analyzeFilter(parseFilter("signInActivity/lastLogin le 2024-01-01T00:00:00Z"), "user")).toThrow(
      "Could not find a property named 'lastLogin' on type 'microsoft.graph.signInActivity'.",
    );
  });
});
