/**
 * One named factory per Graph wire error (Azurite's StorageErrorFactory habit), so every error
 * the simulator returns has Graph's status, code and message in one place.
 * Body: {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}.
 */

export class GraphFailure extends Error {
  override readonly name = "GraphFailure";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    /** Extra innerError fields (the 429 body carries code/message/status there). */
    readonly innerError: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function isGraphFailure(error: unknown): error is GraphFailure {
  return error instanceof GraphFailure;
}

const ADVANCED_QUERY_HINT =
  "Try adding $count=true query parameter and ConsistencyLevel:eventual header. Refer to https://aka.ms/graph-docs/advanced-queries for more information";

export const graphErrors = {
  badRequest: (message: string) => new GraphFailure(400, "BadRequest", message),
  requestBadRequest: (message: string) => new GraphFailure(400, "Request_BadRequest", message),
  unsupportedQuery: (message: string) => new GraphFailure(400, "Request_UnsupportedQuery", message),
  advancedQueryRequired: (operator: string) =>
    new GraphFailure(
      400,
      "Request_UnsupportedQuery",
      `Operator '${operator}' is not supported because the required parameters might be missing. ${ADVANCED_QUERY_HINT}`,
    ),
  invalidPageSize: (top: string, max: number) =>
    new GraphFailure(400, "Request_UnsupportedQuery", `Invalid page size specified: '${top}'. Must be between 1 and ${max} inclusive.`),
  segmentNotFound: (segment: string) => new GraphFailure(400, "BadRequest", `Resource not found for the segment '${segment}'.`),
  propertyNotFound: (property: string, type: string) =>
    new GraphFailure(400, "BadRequest", `Could not find a property named '${property}' on type 'microsoft.graph.${type}'.`),
  resourceNotFound: (id: string) =>
    new GraphFailure(
      404,
      "Request_ResourceNotFound",
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    ),
  methodNotAllowed: () => new GraphFailure(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request uri."),
  invalidJsonBody: () =>
    new GraphFailure(
      400,
      "BadRequest",
      "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
    ),
  unknownBodyProperty: (property: string) =>
    new GraphFailure(400, "Request_BadRequest", `Property '${property}' does not exist as a declared property or extension property.`),
  invalidPropertyValue: (property: string, resource: string) =>
    new GraphFailure(400, "Request_BadRequest", `Invalid value specified for property '${property}' of resource '${resource}'.`),
  readOnlyProperty: (property: string) =>
    new GraphFailure(400, "Request_BadRequest", `Property '${property}' is read-only and cannot be set.`),
  /**
   * PATCH of a subdomain (isRoot false): it takes its root's password policy. Observed, not
   * documented: KelvinTegelaar/CIPP issue 5381 (2026-02), Update-MgDomain on a subdomain.
   */
  domainOperationNotAllowed: () => new GraphFailure(400, "Request_BadRequest", "Domain operation is not allowed."),
  /**
   * A nextLink whose $skiptoken has expired (large directories, long gaps between pages). Observed,
   * not documented: microsoftgraph/msgraph-sdk-dotnet issue 2254 (2023-12), msgraph-sdk-java issue
   * 368 (2020-05), microsoft-graph-docs issue 7855 (2020-08, the message), Microsoft Q&A 2337800
   * (2025-07); the status from a public write-up of the same error ("a 400 bad request").
   */
  expiredPageToken: () =>
    new GraphFailure(
      400,
      "Directory_ExpiredPageToken",
      "The specified page token value has expired and can no longer be included in your request.",
    ),
  /**
   * users/{userPrincipalName} with signInActivity in $select: the key must be the object id.
   * Observed: msgraph-sdk-powershell issue 1024 (2022-01, "the same call in Graph explorer with a
   * UPN instead of a user id will fail"); the message from public captures, whose code varies
   * ("UnknownError" wrapping it in 2021, "400" in a 2026 Graph Explorer capture, used here).
   */
  signInActivityNeedsObjectId: () => new GraphFailure(400, "400", "Get By Key only supports UserId and the key has to be a valid Guid"),
  invalidToken: (message: string) => new GraphFailure(401, "InvalidAuthenticationToken", message),
  nonPremiumTenant: () =>
    new GraphFailure(
      403,
      "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
      "Neither tenant is B2C or tenant doesn't have premium license",
    ),
  p2Required: () =>
    new GraphFailure(
      400,
      "AadPremiumLicenseRequired",
      "The tenant needs to have Microsoft Entra ID P2 or Microsoft Entra ID Governance license.",
    ),
  /** Simulator's choice (docs/reference/graph-facts.md is silent): CA listing on a Free tenant. */
  conditionalAccessUnlicensed: () =>
    new GraphFailure(
      403,
      "AadPremiumLicenseRequired",
      "The tenant needs to have Microsoft Entra ID P1 or P2 license to use Conditional Access.",
    ),
  tooManyRequests: (headers: Record<string, string>) =>
    new GraphFailure(429, "TooManyRequests", "Please retry again later.", headers, {
      code: "429",
      message: "Please retry after",
      status: "429",
    }),
  /** Outlook's own error family (sendMail, messages). */
  outlookBodyRead: (property: string) =>
    new GraphFailure(
      400,
      "RequestBodyRead",
      `The property '${property}' does not exist on type 'Microsoft.OutlookServices.Message'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
    ),
  invalidRecipients: () => new GraphFailure(400, "ErrorInvalidRecipients", "At least one recipient is not valid."),
  invalidUser: (id: string) => new GraphFailure(404, "ErrorInvalidUser", `The requested user '${id}' is invalid.`),
  internal: () => new GraphFailure(500, "InternalServerError", "The simulator failed to process the request."),
};

/** Graph's innerError.date: "YYYY-MM-DDTHH:MM:SS" (no fraction, no zone). */
export function graphErrorDate(now: number): string {
  return new Date(now).toISOString().slice(0, 19);
}

export function errorBody(
  failure: Pick<GraphFailure, "code" | "message" | "innerError">,
  ids: { requestId: string; clientRequestId: string; now: number },
): unknown {
  return {
    error: {
      code: failure.code,
      message: failure.message,
      innerError: {
        ...failure.innerError,
        date: graphErrorDate(ids.now),
        "request-id": ids.requestId,
        "client-request-id": ids.clientRequestId,
      },
    },
  };
}
