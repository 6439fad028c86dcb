import functionsRuntime from "@azure/functions";
import { describe, expect, it } from "vitest";
import { CLIENT_PRINCIPAL_HEADER, encodeClientPrincipal, entraPrincipal, signedInPerson } from "../../shared/http/principal.js";

const { HttpRequest } = functionsRuntime;

const request = (header?: string) =>
  new HttpRequest({
    method: "GET",
    url: "https://patrol.example/api/reports",
    headers: header === undefined ? {} : { [CLIENT_PRINCIPAL_HEADER]: header },
  });
const on = { platformAuth: true };

describe("signedInPerson", () => {
  it("trusts nobody while the platform's authentication is off, whatever the header says", () => {
    const header = encodeClientPrincipal(entraPrincipal("admin@msp.example", ["Reports.Read", "Risks.Accept"]));
    expect(signedInPerson(request(header), "read", { platformAuth: false })).toMatchObject({ ok: false, status: 503 });
  });

  it("401 without a principal or with one that is not the platform's shape", () => {
    expect(signedInPerson(request(), "read", on)).toMatchObject({ ok: false, status: 401 });
    for (const header of ["not base64 json", Buffer.from("[]").toString("base64"), Buffer.from('{"claims":"x"}').toString("base64")]) {
      expect(signedInPerson(request(header), "read", on), header).toMatchObject({ ok: false, status: 401 });
    }
  });

  it("403 without the role; roles count under `roles` or the principal's role_typ", () => {
    expect(signedInPerson(request(encodeClientPrincipal(entraPrincipal("guest@msp.example", []))), "read", on)).toMatchObject({
      ok: false,
      status: 403,
    });
    const reader = entraPrincipal("reader@msp.example", ["Reports.Read"]);
    const mapped = { ...reader, claims: reader.claims.map((c) => (c.typ === "roles" ? { typ: reader.role_typ, val: c.val } : c)) };
    for (const principal of [reader, mapped]) {
      const checked = signedInPerson(request(encodeClientPrincipal(principal)), "read", on);
      expect(checked).toMatchObject({ ok: true, reader: { name: "reader@msp.example", kind: "person", mayAccept: false } });
      expect(signedInPerson(request(encodeClientPrincipal(principal)), "accept", on)).toMatchObject({ ok: false, status: 403 });
    }
  });
});
