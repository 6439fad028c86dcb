/** The remediation module: what the approval page and the ticketing API call. */
export { ACTION_HANDLERS, AuditWriteError, remediate, undo, type RemediationDeps } from "./remediate.js";
export { GRAPH_STEPS, REMEDIATION_PERMISSIONS, type ActionPermissions, type GraphStep } from "./permissions.js";
export { MIN_ENABLED_GLOBAL_ADMINS } from "./guardrails.js";
