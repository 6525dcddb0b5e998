/**
 * Builds cluster components the way the stack does (schema -> defaults -> validation -> create),
 * for one environment preset, and gives the tests what was registered.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ClusterKind, KubernetesCluster } from "../../components/clusters/contract";
import { Environment } from "../../stacks/rules";
import { presets } from "../../stacks/presets";
import { formatProblem } from "../../stacks/errors";
import { captured, clearRegisteredResources, RegisteredResource } from "../support/harness";

export const ENVIRONMENTS: readonly Environment[] = ["dev", "staging", "prod"];

export function tagsFor(environment: Environment, name: string, extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, environment, cluster: name, "managed-by": "fluxpilot" };
}

/** Parses, defaults and validates `raw` for `environment`; fails the test on any problem. */
export function configFor<C>(kind: ClusterKind<any, any>, raw: unknown, environment: Environment): C {
    const parsed = kind.schema.safeParse(raw);
    assert.ok(parsed.success, `schema rejected the test config: ${parsed.error?.message}`);
    const config = kind.withDefaults(parsed.data, presets[environment]);
    const problems = kind.validate(config, presets[environment], "fluxpilot:clusters[0]");
    assert.deepStrictEqual(problems.map(formatProblem), [], "test config should be valid");
    return config as C;
}

export interface Built {
    cluster: KubernetesCluster;
    resources: readonly RegisteredResource[];
    /** The registrations of one type. */
    ofType(type: string): RegisteredResource[];
    /** The one registration of a type; fails when there is not exactly one. */
    only(type: string): RegisteredResource;
}

/** Creates a fresh cluster component and waits for every registration. */
export async function build(kind: ClusterKind<any, any>, raw: Record<string, unknown>, environment: Environment): Promise<Built> {
    clearRegisteredResources();
    const config = configFor<any>(kind, raw, environment);
    const cluster = kind.create(config, { environment, tags: tagsFor(environment, config.name, config.tags) }, { protect: config.protect });
    const resources = [...(await captured())];
    const ofType = (type: string) => resources.filter((r) => r.type === type);
    return {
        cluster,
        resources,
        ofType,
        only(type) {
            const found = ofType(type);
            assert.strictEqual(found.length, 1, `expected exactly one ${type}, found ${found.length}`);
            return found[0];
        },
    };
}

/** Resource counts per type. */
export function counts(resources: readonly RegisteredResource[]): Record<string, number> {
    const result: Record<string, number> = {};
    for (const r of resources) result[r.type] = (result[r.type] ?? 0) + 1;
    return Object.fromEntries(Object.entries(result).sort(([a], [b]) => a.localeCompare(b)));
}

/** The URN path below the stack: `type$type::name`, stable across stacks and projects. */
export function urnTail(urn: string): string {
    return urn.split("::").slice(2).join("::");
}

/** A throwaway repository root with `clusters/<env>/kustomization.yaml`, for stack-model tests. */
export function tempRepoRoot(environments: readonly string[]): string {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-repo-"));
    for (const env of environments) {
        fs.mkdirSync(path.join(root, "clusters", env), { recursive: true });
        fs.writeFileSync(path.join(root, "clusters", env, "kustomization.yaml"), "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n");
    }
    return root;
}
