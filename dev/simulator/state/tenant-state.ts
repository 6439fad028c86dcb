/**
 * One hosted tenant's live data: a working copy of its fixture's `graph`, indexed by id, that
 * writes change and reads see. `restore()` goes back to the fixture.
 */
import { createHash } from "node:crypto";
import type { LicenseTier, TenantConfig } from "../../../shared/model/tenant.js";
import { PRIVILEGED_ROLES } from "../../../shared/model/roles.js";
import { TEST_APP_CLIENT_ID } from "../auth/apps.js";
import { appConsent } from "../auth/authorization.js";
import { GRAPH_KEY_SCHEMAS, type TenantFixture } from "../fixtures/schema.js";
import { DEFAULT_PER_USER_MFA_STATE, DOMAINS_KEY, fillDomainDefaults, SINGLETON_DEFAULTS } from "./defaults.js";
import { idOf, isPlainObject, mergePatch, type GraphObject } from "./graph-object.js";
import { Mailboxes } from "./mailbox.js";

export type DirectoryObjectKind = "user" | "group" | "servicePrincipal";

const DIRECTORY_COLLECTIONS: Readonly<Record<DirectoryObjectKind, string>> = {
  user: "v1.0/users",
  group: "v1.0/groups",
  servicePrincipal: "v1.0/servicePrincipals",
};

const MEMBERS_KEY = /^v1\.0\/groups\/([^/]+)\/members$/;
const REQUIREMENTS_KEY = /^beta\/users\/([^/]+)\/authentication\/requirements$/;

/** A GUID-shaped id derived from `seed` (stable across runs, so fixtures and tests can name it). */
function deterministicGuid(seed: string): string {
  const hex = createHash("sha256").update(seed).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class TenantState {
  readonly id: string;
  readonly displayName: string;
  readonly license: LicenseTier;
  readonly config: TenantConfig;
  readonly mailboxes = new Mailboxes();
  /** Application permissions the tenant's admin consented to for the app: what its tokens carry. */
  readonly appPermissions: readonly string[];
  readonly #appRoleNames: readonly string[];

  private collections = new Map<string, GraphObject[]>();
  private indexes = new Map<string, Map<string, GraphObject>>();
  private singletons = new Map<string, GraphObject>();
  private members = new Map<string, GraphObject[]>();
  private mfaStates = new Map<string, string>();
  private usersByUpn = new Map<string, GraphObject>();
  /** Eventual consistency of per-user MFA writes: how many reads after a write still see the old value. */
  private staleReads = 0;
  /** Writes not visible yet: user id → the state reads still answer, and for how many more reads. */
  private unsettledMfa = new Map<string, { shown: string; reads: number }>();

  /** Skiptokens carry the epoch they were issued in; older ones have expired (odata/paging.ts). */
  skipTokenEpoch = 0;

  constructor(private readonly fixture: TenantFixture) {
    this.id = fixture.tenant.id;
    this.displayName = fixture.tenant.displayName;
    this.license = fixture.tenant.license;
    this.config = fixture.config;
    const consent = appConsent(fixture.app);
    this.appPermissions = consent.permissions;
    this.#appRoleNames = consent.roles;
    this.restore();
  }

  /** Back to the fixture's data: undoes writes, forgets sent mail, makes writes visible at once again. */
  restore(): void {
    const graph = structuredClone(this.fixture.graph) as Record<string, unknown>;
    this.collections.clear();
    this.indexes.clear();
    this.members.clear();
    this.mfaStates.clear();
    this.unsettledMfa.clear();
    this.staleReads = 0;
    this.mailboxes.clear();
    this.singletons = new Map(Object.entries(structuredClone(SINGLETON_DEFAULTS)));
    for (const [key, value] of Object.entries(graph)) {
      const membersOf = MEMBERS_KEY.exec(key)?.[1];
      const mfaOf = REQUIREMENTS_KEY.exec(key)?.[1];
      if (membersOf !== undefined) this.members.set(membersOf.toLowerCase(), value as GraphObject[]);
      else if (mfaOf !== undefined) this.mfaStates.set(mfaOf.toLowerCase(), String((value as GraphObject).perUserMfaState));
      else if (Array.isArray(value)) this.collections.set(key, value as GraphObject[]);
      else if (isPlainObject(value)) mergePatch(this.singletonOrEmpty(key), value);
    }
    fillDomainDefaults(this.collection(DOMAINS_KEY));
    this.provisionAppPrincipal();
    this.reindexUpns();
  }

  /**
   * The simulator's app can sign in to every hosted tenant, so (as after admin consent in Entra ID,
   * which creates the app's service principal; without one the token request fails with
   * AADSTS7000229) the tenant has its service principal. Fixtures may list it themselves.
   */
  private provisionAppPrincipal(): void {
    const key = DIRECTORY_COLLECTIONS.servicePrincipal;
    const principals = this.collections.get(key) ?? [];
    const listed = principals.find((sp) => sp.appId === TEST_APP_CLIENT_ID);
    const id = listed === undefined ? deterministicGuid(`service-principal:${this.id}:${TEST_APP_CLIENT_ID}`) : idOf(listed);
    if (listed === undefined) {
      this.collections.set(key, [
        ...principals,
        { id, appId: TEST_APP_CLIENT_ID, displayName: "Tenant Patrol", servicePrincipalType: "Application", accountEnabled: true },
      ]);
    }
    this.assignAppRoles(id);
  }

  /**
   * The fixture's `app.roles` are directory role assignments to the app's service principal, readable
   * like any other (`roleAssignments?$filter=principalId eq …`), as in Entra ID, where a role the app
   * holds is an active unifiedRoleAssignment (rbacapplication-list-roleassignments). Assignments the
   * fixture lists itself stay as they are.
   */
  private assignAppRoles(principalId: string): void {
    const key = "v1.0/roleManagement/directory/roleAssignments";
    const assignments = this.collections.get(key) ?? [];
    const held = new Set(
      assignments
        .filter((a) => String(a.principalId).toLowerCase() === principalId.toLowerCase())
        .map((a) => String(a.roleDefinitionId).toLowerCase()),
    );
    const added = this.#appRoleNames
      .map((name) => [...PRIVILEGED_ROLES].find(([, roleName]) => roleName === name)?.[0])
      .filter((templateId): templateId is string => templateId !== undefined && !held.has(templateId))
      .map((templateId) => ({
        id: deterministicGuid(`app-role:${this.id}:${principalId}:${templateId}`),
        principalId,
        roleDefinitionId: templateId,
        directoryScopeId: "/",
      }));
    if (added.length > 0) this.collections.set(key, [...assignments, ...added]);
  }

  /** Directory roles of the app's service principal: the fixture's, and any assigned to it in the data. */
  appRoles(): string[] {
    const principal = this.collection(DIRECTORY_COLLECTIONS.servicePrincipal).find((sp) => sp.appId === TEST_APP_CLIENT_ID);
    const assigned = this.collection("v1.0/roleManagement/directory/roleAssignments")
      .filter((assignment) => principal !== undefined && String(assignment.principalId).toLowerCase() === idOf(principal).toLowerCase())
      .map((assignment) => PRIVILEGED_ROLES.get(String(assignment.roleDefinitionId).toLowerCase()) ?? String(assignment.roleDefinitionId));
    return [...new Set([...this.#appRoleNames, ...assigned])];
  }

  get userCount(): number {
    return this.collection("v1.0/users").length;
  }

  /** The live items of a collection key ("v1.0/users"); empty when the fixture omits it. */
  collection(key: string): readonly GraphObject[] {
    return this.collections.get(key) ?? [];
  }

  find(collectionKey: string, id: string): GraphObject | undefined {
    let index = this.indexes.get(collectionKey);
    if (!index) {
      index = new Map(this.collection(collectionKey).map((item) => [idOf(item).toLowerCase(), item]));
      this.indexes.set(collectionKey, index);
    }
    return index.get(id.toLowerCase());
  }

  /** users/{id | userPrincipalName}, as Graph accepts both. */
  findUser(idOrUpn: string): GraphObject | undefined {
    return this.find("v1.0/users", idOrUpn) ?? this.usersByUpn.get(idOrUpn.toLowerCase());
  }

  /** A directory object by id with its kind (for @odata.type on expanded principals and members). */
  findDirectoryObject(id: string): { object: GraphObject; kind: DirectoryObjectKind } | undefined {
    for (const [kind, key] of Object.entries(DIRECTORY_COLLECTIONS) as [DirectoryObjectKind, string][]) {
      const object = this.find(key, id);
      if (object) return { object, kind };
    }
    return undefined;
  }

  singleton(key: string): GraphObject | undefined {
    return this.singletons.get(key);
  }

  groupMembers(groupId: string): readonly GraphObject[] {
    return this.members.get(groupId.toLowerCase()) ?? [];
  }

  perUserMfaState(userId: string): string {
    return this.mfaStates.get(userId.toLowerCase()) ?? DEFAULT_PER_USER_MFA_STATE;
  }

  /** What a GET answers: the state before the last write while that write is not visible yet. */
  readPerUserMfaState(userId: string): string {
    const key = userId.toLowerCase();
    const unsettled = this.unsettledMfa.get(key);
    if (!unsettled) return this.perUserMfaState(userId);
    if (--unsettled.reads === 0) this.unsettledMfa.delete(key);
    return unsettled.shown;
  }

  setPerUserMfaState(userId: string, state: string): void {
    const key = userId.toLowerCase();
    if (this.staleReads > 0) {
      const shown = this.unsettledMfa.get(key)?.shown ?? this.perUserMfaState(userId);
      this.unsettledMfa.set(key, { shown, reads: this.staleReads });
    }
    this.mfaStates.set(key, state);
  }

  /**
   * Directory writes are eventually consistent: after a per-user MFA write, the next `reads` GETs
   * of that user's state still answer the previous value (0: visible at once, the default).
   */
  setStaleReadsAfterWrite(reads: number): void {
    if (!Number.isSafeInteger(reads) || reads < 0) throw new RangeError(`stale reads must be a whole number ≥ 0, got ${reads}`);
    this.staleReads = reads;
  }

  /** Every skiptoken issued so far expires: its nextLink answers 400 Directory_ExpiredPageToken. */
  expireSkipTokens(): void {
    this.skipTokenEpoch++;
  }

  /** Applies PATCH semantics to a stored object (keeps the UPN index right). */
  patch(object: GraphObject, changes: GraphObject): void {
    mergePatch(object, changes);
    if ("userPrincipalName" in changes) this.reindexUpns();
  }

  /**
   * State inspection for tests: "v1.0/users", "v1.0/users/<id>", "v1.0/groups/<id>/members",
   * a policy path, "beta/users/<id>/authentication/requirements",
   * "v1.0/users/<id>/mailFolders/sentitems/messages". Returns a copy; undefined if absent.
   */
  get(path: string): unknown {
    const key = path.replace(/^\/+/, "");
    const found = this.lookup(key);
    return found === undefined ? undefined : structuredClone(found);
  }

  private lookup(key: string): unknown {
    const membersOf = MEMBERS_KEY.exec(key)?.[1];
    if (membersOf !== undefined) return this.find("v1.0/groups", membersOf) ? this.groupMembers(membersOf) : undefined;
    const mfaOf = REQUIREMENTS_KEY.exec(key)?.[1];
    if (mfaOf !== undefined) return this.findUser(mfaOf) ? { perUserMfaState: this.perUserMfaState(mfaOf) } : undefined;
    const sentOf = /^v1\.0\/users\/([^/]+)\/mailFolders\/sentitems\/messages$/i.exec(key)?.[1];
    if (sentOf !== undefined) {
      const user = this.findUser(sentOf);
      return user ? this.mailboxes.sent(idOf(user)) : undefined;
    }
    if (this.singletons.has(key)) return this.singletons.get(key);
    if (this.collections.has(key) || isKnownCollectionKey(key)) return this.collection(key);
    const slash = key.lastIndexOf("/");
    const parent = key.slice(0, slash);
    const id = key.slice(slash + 1);
    return parent === "v1.0/users" ? this.findUser(id) : this.find(parent, id);
  }

  private singletonOrEmpty(key: string): GraphObject {
    const existing = this.singletons.get(key);
    if (existing) return existing;
    const created: GraphObject = {};
    this.singletons.set(key, created);
    return created;
  }

  private reindexUpns(): void {
    this.usersByUpn = new Map();
    for (const user of this.collection("v1.0/users")) {
      if (typeof user.userPrincipalName === "string") this.usersByUpn.set(user.userPrincipalName.toLowerCase(), user);
    }
  }
}

/** A collection the fixture format knows but this fixture omits: served as empty. */
function isKnownCollectionKey(key: string): boolean {
  return key in GRAPH_KEY_SCHEMAS && !(key in SINGLETON_DEFAULTS);
}
