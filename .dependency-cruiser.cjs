/**
 * The layering of docs/architecture.md, checked on every `npm test` (npm run deps):
 *
 *   core  <-  components/clusters  <-  components/flux  <-  stacks  <-  index.ts, cli/
 *
 * with mock-runtime/ (the offline runtime), gitops-checks/ (the Flux repository checks) and
 * policy/ (the CrossGuard policy pack, which Pulumi loads on its own) as tooling beside the
 * program. No cycles anywhere; nothing imports upward.
 */
const layer = (from, allowed, comment) => ({
    name: `${from.replace(/[^a-z-]+/g, "-").replace(/^-|-$/g, "")}-imports-only-below`,
    comment,
    severity: "error",
    from: { path: `^${from}` },
    to: { path: "^(core|components|stacks|cli|mock-runtime|gitops-checks|policy|test|index\\.ts)", pathNot: `^(${allowed.join("|")})` },
});

module.exports = {
    forbidden: [
        {
            name: "no-circular",
            comment: "An import cycle hides which module owns what; break it by moving the shared piece down.",
            severity: "error",
            from: {},
            to: { circular: true },
        },
        layer("core/", ["core/"], "core/ is the leaf: shared vocabulary and rules, importing nothing else of the project."),
        layer("components/clusters/", ["core/", "components/clusters/"], "Cluster providers build on core/ only; Flux and the stack model sit above them."),
        layer("components/flux/", ["core/", "components/clusters/", "components/flux/"], "Flux may ask the cluster providers, never the stack model or the tooling."),
        layer("stacks/", ["core/", "components/", "stacks/"], "The stack model composes components; it never imports the command lines or tooling."),
        layer("index\\.ts", ["core/", "stacks/"], "The program entry only loads the model and composes it."),
        layer("mock-runtime/", ["core/", "components/", "mock-runtime/"], "The offline runtime gathers the components' fixtures; it is below the command lines."),
        layer("gitops-checks/", ["core/", "gitops-checks/"], "The Flux repository checks read Git content, not the Pulumi program."),
        layer(
            "policy/",
            ["core/", "policy/"],
            "The policy pack runs inside Pulumi's analyzer, apart from the program: it judges resources by their type and inputs and shares only core/ (the version table).",
        ),
        layer("cli/", ["core/", "components/", "stacks/", "mock-runtime/", "gitops-checks/", "policy/", "cli/"], "Command lines may use everything except the tests."),
        {
            name: "providers-are-independent",
            comment: "A cluster provider's folder never reaches into another provider's folder.",
            severity: "error",
            from: { path: "^components/clusters/([^/]+)/" },
            to: { path: "^components/clusters/[^/]+/", pathNot: "^components/clusters/$1/" },
        },
        {
            name: "only-the-registry-knows-the-providers",
            comment: "The shared cluster modules see providers through the registry, so adding one touches one line.",
            severity: "error",
            from: { path: "^components/clusters/[^/]+\\.ts$", pathNot: "^components/clusters/registry\\.ts$" },
            to: { path: "^components/clusters/[^/]+/" },
        },
        {
            name: "flux-has-no-per-cloud-branch",
            comment: "Flux asks a cluster's provider (through the registry) instead of importing a provider.",
            severity: "error",
            from: { path: "^components/flux/" },
            to: { path: "^components/clusters/[^/]+/" },
        },
    ],
    options: {
        doNotFollow: { path: "node_modules" },
        exclude: { path: "(^|/)(node_modules|out|\\.cache)/" },
        tsConfig: { fileName: "tsconfig.json" },
        tsPreCompilationDeps: true,
        enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
    },
};
