import type { HttpResponseInit } from "@azure/functions";
import document from "../openapi/remediations.openapi.json" with { type: "json" };

/**
 * GET openapi.json (anonymous: the contract holds no secret): the ticketing API's OpenAPI 3.1
 * document, the same file the tests validate every response against and generate the client from.
 */
export function serveOpenApi(): Promise<HttpResponseInit> {
  return Promise.resolve({
    status: 200,
    headers: { "Content-Type": "application/json", "Cache-Control": "public, max-age=300" },
    body: JSON.stringify(document),
  });
}
