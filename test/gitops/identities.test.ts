/**
 * Apps sync with their own accounts: only infra-* Kustomizations run as kustomize-controller, and
 * each app's runs as a service account of its own, bound to its namespace by infra-tenants.
 */
import * as assert from "assert";
import { ENVIRONMENTS } from "../../gitops-checks/environments";
import { checkEntryContract, ClusterEntry } from "../../gitops-checks/flux";
import { formatGitOpsProblems } from "../../gitops-checks/problems";
import { objectsOf, rendering } from "./support";

/** The environment's entry point with the app Kustomization's account (and maybe a second app) changed. */
function withApps(env: string, accounts: string[]): ClusterEntry {
    const entry = structuredClone(rendering(env as any).entry);
    const app = entry.kustomizations.find((k) => k.name === "sample-app")!;
    entry.kustomizations = entry.kustomizations.filter((k) => k !== app);
    accounts.forEach((account, i) => {
        const copy = structuredClone(app);
        copy.name = i === 0 ? "sample-app" : `other-app-${i}`;
        (copy.rendered.object as any).metadata.name = copy.name;
        (copy.rendered.object as any).spec.serviceAccountName = account;
        entry.kustomizations.push(copy);
    });
    return entry;
}

describe("gitops: apps sync with their own accounts", () => {
    for (const env of ENVIRONMENTS) {
        it(`${env}: sample-app runs as its own account, bound in its namespace only, never cluster-wide`, () => {
            const app = rendering(env).entry.kustomizations.find((k) => k.name === "sample-app")!;
            assert.strictEqual((app.rendered.object as any).spec.serviceAccountName, "sample-app");
            const objects: any[] = objectsOf(env).map((o) => o.object);
            const account = objects.find((o) => o.kind === "ServiceAccount" && o.metadata?.name === "sample-app" && o.metadata?.namespace === "flux-system");
            assert.ok(account, "no ServiceAccount flux-system/sample-app");
            const names = (o: any) => (o.subjects ?? []).some((s: any) => s.kind === "ServiceAccount" && s.name === "sample-app" && s.namespace === "flux-system");
            assert.deepStrictEqual(
                objects.filter((o) => o.kind === "ClusterRoleBinding" && names(o)),
                [],
                "bound cluster-wide",
            );
            const bindings = objects.filter((o) => o.kind === "RoleBinding" && names(o));
            assert.deepStrictEqual(
                bindings.map((b) => [b.metadata!.namespace, b.roleRef.kind, b.roleRef.name]),
                [[`sample-app-${env}`, "ClusterRole", "admin"]],
            );
            for (const k of rendering(env).entry.kustomizations.filter((k) => k.name !== "sample-app")) {
                assert.ok(k.name.startsWith("infra-"), `${k.name} runs as kustomize-controller without being a platform (infra-*) Kustomization`);
            }
        });
    }

    it("refuses an app that runs as a Flux controller, as nobody, or as another app's account", () => {
        const problems = (accounts: string[]) => formatGitOpsProblems(checkEntryContract(withApps("prod", accounts)));
        assert.match(
            problems(["kustomize-controller"]),
            /sample-app: spec\.serviceAccountName is kustomize-controller, a Flux controller with rights over the whole cluster: set it to this app's own service account \(e\.g\. sample-app\)/,
        );
        assert.match(problems(["helm-controller"]), /is helm-controller, a Flux controller/);
        assert.match(problems([""]), /sample-app: spec\.serviceAccountName is "": set it to this app's own service account/);
        assert.match(problems(["sample-app", "sample-app"]), /spec\.serviceAccountName sample-app is also used by other-app-1/);
        assert.doesNotMatch(problems(["sample-app", "other-app"]), /serviceAccountName/);
    });

    it("refuses a platform Kustomization that does not run as kustomize-controller", () => {
        const entry = structuredClone(rendering("prod").entry);
        (entry.kustomizations.find((k) => k.name === "infra-tenants")!.rendered.object as any).spec.serviceAccountName = "default";
        assert.match(formatGitOpsProblems(checkEntryContract(entry)), /infra-tenants: spec\.serviceAccountName is "default": set it to kustomize-controller/);
    });
});
