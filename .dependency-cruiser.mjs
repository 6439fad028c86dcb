// The layer check of `npm test` (`npm run layers`): the folders under shared/ in one order, each
// importing only folders below it. Type-only imports count: a type that points upward ties the
// layers as much as a value does. README.md ("Architecture") describes the same order.

/**
 * Bottom first. A folder may import its own folder and the folders of the rows below it; folders
 * on one row do not import each other.
 */
export const LAYERS = [
  ["model", "logging"],
  ["config"],
  ["graph"],
  ["collect", "controls"],
  ["storage", "views"],
  ["reconcile", "queue", "tenants"],
  ["remediation", "notify"],
  ["approvals", "onboarding", "reports"],
  ["sweep", "http"],
  ["app"],
];

const ALL = LAYERS.flat();
const either = (folders) => `^shared/(${folders.join("|")})/`;

/** One rule per folder: nothing above it, nothing beside it. */
const layerRules = LAYERS.flatMap((row, i) =>
  row.flatMap((folder) => {
    const allowed = [folder, ...LAYERS.slice(0, i).flat()];
    const forbidden = ALL.filter((f) => !allowed.includes(f));
    if (forbidden.length === 0) return [];
    return [
      {
        name: `layer-${folder}`,
        comment: `shared/${folder}/ may import only ${allowed.map((f) => `shared/${f}/`).join(", ")}`,
        severity: "error",
        from: { path: either([folder]) },
        to: { path: either(forbidden) },
      },
    ];
  }),
);

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment: "No module of the product reaches itself again through its imports (types included).",
      severity: "error",
      from: { path: "^(shared|functions|cli)/" },
      to: { circular: true },
    },
    {
      name: "layer-unlisted-folder",
      comment: "Every folder under shared/ has its place in LAYERS (a new one is placed there first).",
      severity: "error",
      from: { path: "^shared/", pathNot: either(ALL) },
      to: {},
    },
    {
      name: "layer-unlisted-target",
      comment: "Every folder under shared/ has its place in LAYERS (a new one is placed there first).",
      severity: "error",
      from: { path: "^(shared|functions|cli)/" },
      to: { path: "^shared/", pathNot: either(ALL) },
    },
    ...layerRules,
    {
      name: "shared-below-entry-points",
      comment: "shared/ is the library the entry points use: it never imports them, the dev tools or the tests.",
      severity: "error",
      from: { path: "^shared/" },
      to: { path: "^(functions|cli|dev|bench|test)/" },
    },
    {
      name: "production-without-dev-code",
      comment: "What is deployed (functions/) and the operator CLI never import the dev tools, benchmarks or tests.",
      severity: "error",
      from: { path: "^(functions|cli)/" },
      to: { path: "^(dev|bench|test)/" },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^node_modules/" },
  },
};
