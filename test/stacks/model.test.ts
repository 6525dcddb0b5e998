import * as assert from "assert";
import * as path from "path";
import { z } from "zod";
import { presets } from "../../stacks/presets";
import { parseStackModel } from "../../stacks/model";
import { formatProblem, isStackConfigError, StackConfigError } from "../../stacks/errors";
import { cidr, cidrContains, cidrsOverlap } from "../../stacks/rules";
import { parseWithProblems } from "../../stacks/issues";
import { validateManagedCluster } from "../../components/clusters/managed";
import { ManagedClusterConfig } from "../../components/clusters/contract";

const repoRoot = path.join(__dirname, "fixtures", "repo");

/** A valid local stack; each bad case changes one thing. */
function localConfig(): Record<string, unknown> {
    return {
        "fluxpilot:environment": "local",
        "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot" },
        "fluxpilot:clusters": [{ name: "laptop", cloud: "existing", context: "kind-fluxpilot" }],
        "fluxpilot:apps": ["sample-app"],
        "aws:region": "eu-west-1",
    };
}

function problemsOf(config: Record<string, unknown>, secretKeys: string[] = []): string[] {
    try {
        parseStackModel("test", config, { repoRoot, secretKeys });
    } catch (error) {
        assert.ok(isStackConfigError(error), `expected a StackConfigError, got ${error}`);
        return (error as StackConfigError).problems.map(formatProblem);
    }
    assert.fail("expected the configuration to be rejected");
}

function assertOneProblem(config: Record<string, unknown>, expected: string): void {
    assert.deepStrictEqual(problemsOf(config), [expected]);
}

describe("stack model", () => {
    it("defaults a minimal local stack from its environment preset", () => {
        const model = parseStackModel("local", localConfig(), { repoRoot });
        assert.strictEqual(model.environment, "local");
        assert.deepStrictEqual(model.gitops, {
            repository: "https://github.com/acme/fluxpilot",
            ref: { branch: "main" },
            path: "clusters/local",
            interval: presets.local.syncInterval,
            auth: { type: "none" },
        });
        assert.strictEqual(model.clusters[0].protect, false);
        assert.strictEqual(model.clusters[0].region, "local");
        assert.deepStrictEqual(model.apps, ["sample-app"]);
    });

    it("accepts structured values as JSON text, as the Pulumi CLI passes them", () => {
        const config = Object.fromEntries(
            Object.entries(localConfig()).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        assert.strictEqual(parseStackModel("local", config, { repoRoot }).clusters[0].name, "laptop");
    });

    describe("rejects bad configuration with the key, the value and the fix", () => {
        const cases: Array<[string, (c: Record<string, any>) => void, string]> = [
            [
                "wrong cloud name",
                (c) => (c["fluxpilot:clusters"][0].cloud = "awz"),
                'fluxpilot:clusters[0].cloud: is not a supported cloud (given: "awz"). Fix: set cloud to one of existing, aws, gcp, azure',
            ],
            [
                "missing Git URL",
                (c) => delete c["fluxpilot:gitops"].repository,
                "fluxpilot:gitops.repository: is missing. Fix: set the URL of this repository, e.g. https://github.com/acme/fluxpilot",
            ],
            [
                "misspelt top-level key",
                (c) => (c["fluxpilot:enviroment"] = "local"),
                'fluxpilot:enviroment: is not a known setting. Fix: did you mean "fluxpilot:environment"? Known settings here: fluxpilot:environment, fluxpilot:gitops, fluxpilot:flux, fluxpilot:clusters, fluxpilot:apps, fluxpilot:gitPassword, fluxpilot:githubToken',
            ],
            [
                "misspelt key inside a cluster",
                (c) => (c["fluxpilot:clusters"][0].contxt = "kind-x"),
                'fluxpilot:clusters[0].contxt: is not a known setting. Fix: did you mean "context"? Known settings here: name, cloud, region, kubeconfig, context, protect, tags, flux',
            ],
            [
                "duplicate cluster names",
                (c) => c["fluxpilot:clusters"].push({ name: "laptop", cloud: "existing" }),
                'fluxpilot:clusters[1].name: is used by another cluster in this stack (given: "laptop"). Fix: give every cluster a unique name; it names its cloud resources and Pulumi URNs',
            ],
            [
                "clusters of the wrong type",
                (c) => (c["fluxpilot:clusters"] = "laptop"),
                'fluxpilot:clusters: must be a non-empty list of clusters (given: "laptop"). Fix: list at least one cluster, each with a name and a cloud (existing, aws, gcp, azure)',
            ],
            [
                "a number where a string belongs",
                (c) => (c["fluxpilot:clusters"][0].context = 42),
                "fluxpilot:clusters[0].context: must be a string, not a number (given: 42). Fix: set the kubeconfig context name, e.g. kind-fluxpilot",
            ],
            [
                "unknown environment",
                (c) => (c["fluxpilot:environment"] = "production"),
                'fluxpilot:environment: is not an environment (given: "production"). Fix: use one of dev, staging, prod, local',
            ],
            [
                "invalid cluster name",
                (c) => (c["fluxpilot:clusters"][0].name = "Prod_EKS"),
                "fluxpilot:clusters[0].name: must be 1-30 characters of lowercase letters, digits and '-', starting with a letter (given: \"Prod_EKS\"). Fix: rename it, e.g. 'prod-eks' (it names cloud resources, so keep it short)",
            ],
            [
                "scp-style repository URL",
                (c) => (c["fluxpilot:gitops"].repository = "git@github.com:acme/fluxpilot.git"),
                'fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL (given: "git@github.com:acme/fluxpilot.git"). Fix: use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)',
            ],
            [
                "sync path outside clusters/",
                (c) => (c["fluxpilot:gitops"].path = "apps/sample-app"),
                'fluxpilot:gitops.path: is not a folder under clusters/ (given: "apps/sample-app"). Fix: point Flux at this environment\'s entry point, e.g. clusters/prod',
            ],
            [
                "sync path that does not exist",
                (c) => (c["fluxpilot:gitops"].path = "clusters/qa"),
                'fluxpilot:gitops.path: does not exist in this repository (or holds no YAML) (given: "clusters/qa"). Fix: create clusters/qa/ with the Flux Kustomizations for this environment, or correct the path',
            ],
            [
                "two Git refs",
                (c) => Object.assign(c["fluxpilot:gitops"], { branch: "main", tag: "v1.0.0" }),
                'fluxpilot:gitops.tag: is set together with branch, but Flux follows exactly one ref (given: "v1.0.0"). Fix: keep one of branch, tag',
            ],
            [
                "a sync interval that is not a duration",
                (c) => (c["fluxpilot:gitops"].interval = "5 minutes"),
                'fluxpilot:gitops.interval: is not a duration (given: "5 minutes"). Fix: write it like Flux does: "30s", "5m", "1h"',
            ],
            [
                "an app that clusters/<env> does not sync",
                (c) => c["fluxpilot:apps"].push("billing"),
                'fluxpilot:apps[1]: is not synced: no Flux Kustomization in clusters/local applies apps/billing/overlays/local (given: "billing"). Fix: add a Kustomization with path ./apps/billing/overlays/local to clusters/local, or remove the app from the list',
            ],
            [
                "no clusters at all",
                (c) => delete c["fluxpilot:clusters"],
                "fluxpilot:clusters: is missing. Fix: list at least one cluster, each with a name and a cloud (existing, aws, gcp, azure)",
            ],
        ];
        for (const [title, mutate, expected] of cases) {
            it(title, () => {
                const config = localConfig();
                mutate(config);
                assertOneProblem(config, expected);
            });
        }
    });

    it("reports every problem at once", () => {
        const config = localConfig();
        config["fluxpilot:enviroment"] = "dev";
        (config["fluxpilot:gitops"] as any).interval = "soon";
        (config["fluxpilot:clusters"] as any[]).push({ name: "other", cloud: "gke" });
        assert.strictEqual(problemsOf(config).length, 3);
    });

    it("reports rule problems of the parts that parsed alongside schema problems of the others", () => {
        const config = localConfig();
        config["fluxpilot:environment"] = "dev";
        (config["fluxpilot:clusters"] as any[])[0].contxt = "kind-x";
        (config["fluxpilot:clusters"] as any[]).push({
            name: "dev-eks",
            cloud: "aws",
            region: "eu-west-1",
            nodePools: [{ name: "system", machineType: "t3.large", minNodes: 4, maxNodes: 2 }],
        });
        const problems = problemsOf(config);
        assert.strictEqual(problems.length, 2, problems.join("\n"));
        assert.match(problems[0], /^fluxpilot:clusters\[0\]\.contxt: is not a known setting/);
        assert.match(problems[1], /^fluxpilot:clusters\[1\]\.nodePools\[0\]\.minNodes: is greater than maxNodes \(2\)/);
    });

    it("never shows the value of a secret key", () => {
        const config = localConfig();
        (config["fluxpilot:gitops"] as any).repository = "https://user:hunter2@github.com";
        const problems = problemsOf(config, ["fluxpilot:gitops"]);
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0], /given: \[secret\]/);
        assert.doesNotMatch(problems.join("\n"), /hunter2/);
    });

    it("the error message lists each problem and says nothing was created", () => {
        const config = localConfig();
        config["fluxpilot:environment"] = "qa";
        try {
            parseStackModel("qa", config, { repoRoot });
            assert.fail("expected an error");
        } catch (error) {
            assert.match((error as Error).message, /^Stack "qa" configuration has 1 problem; nothing was created:\n  - fluxpilot:environment: /);
        }
    });
});

describe("managed cluster rules", () => {
    const cluster = (): ManagedClusterConfig => ({
        name: "prod-eks",
        cloud: "aws",
        region: "eu-west-1",
        kubernetesVersion: "1.34",
        nodePools: [{ name: "system", machineType: "m6i.large", minNodes: 3, maxNodes: 6 }],
        endpoint: { publicAccess: true, allowedCidrs: ["203.0.113.0/24"] },
        protect: true,
        tags: {},
    });
    const check = (c: ManagedClusterConfig, env: "dev" | "prod" = "prod") =>
        validateManagedCluster(c, presets[env], "fluxpilot:clusters[0]", "Amazon EKS", ["1.34", "1.35"]).map(formatProblem);

    it("accepts a well-formed cluster", () => assert.deepStrictEqual(check(cluster()), []));

    it("rejects min > max nodes", () => {
        const c = cluster();
        c.nodePools[0].minNodes = 8;
        assert.deepStrictEqual(check(c), [
            "fluxpilot:clusters[0].nodePools[0].minNodes: is greater than maxNodes (6) (given: 8). Fix: set minNodes to at most maxNodes, or raise maxNodes",
        ]);
    });

    it("rejects an unsupported Kubernetes version", () => {
        const c = cluster();
        c.kubernetesVersion = "1.27";
        assert.deepStrictEqual(check(c), [
            'fluxpilot:clusters[0].kubernetesVersion: is not a Kubernetes version Amazon EKS supports (given: "1.27"). Fix: use one of 1.34, 1.35',
        ]);
    });

    it("rejects an API endpoint open to the internet in prod, allows it in dev", () => {
        const c = cluster();
        c.endpoint.allowedCidrs = ["0.0.0.0/0"];
        assert.deepStrictEqual(check(c), [
            'fluxpilot:clusters[0].endpoint.allowedCidrs: opens the API server to the whole internet, which prod does not allow (given: ["0.0.0.0/0"]). Fix: list only your office/VPN/CI egress ranges, or set publicAccess: false',
        ]);
        assert.deepStrictEqual(check(c, "dev"), []);
    });

    it("rejects a public endpoint nobody may reach", () => {
        const c = cluster();
        c.endpoint.allowedCidrs = [];
        assert.strictEqual(check(c).length, 1);
        assert.match(check(c)[0], /allowedCidrs: is empty while publicAccess is true/);
    });

    it("rejects duplicate node pool names", () => {
        const c = cluster();
        c.nodePools.push({ ...c.nodePools[0] });
        assert.match(check(c).join("\n"), /nodePools\[1\]\.name: repeats the name of another pool/);
    });
});

describe("CIDR rules", () => {
    const parse = (value: unknown) => parseWithProblems(z.strictObject({ cidr }), { cidr: value }, "fluxpilot:x").problems.map(formatProblem);

    it("rejects a malformed block", () => {
        assert.deepStrictEqual(parse("10.0.0.0/33"), [
            'fluxpilot:x.cidr: is not an IPv4 CIDR block (given: "10.0.0.0/33"). Fix: write it as a.b.c.d/n with n between 0 and 32, e.g. 10.0.0.0/16',
        ]);
    });

    it("rejects host bits", () => {
        assert.deepStrictEqual(parse("10.0.1.0/16"), [
            'fluxpilot:x.cidr: has host bits set (given: "10.0.1.0/16"). Fix: use the network address of the block, e.g. 10.0.0.0/16 rather than 10.0.1.0/16',
        ]);
    });

    it("detects overlap and containment", () => {
        assert.ok(cidrsOverlap("10.0.0.0/16", "10.0.128.0/20"));
        assert.ok(!cidrsOverlap("10.0.0.0/16", "10.1.0.0/16"));
        assert.ok(cidrContains("10.0.0.0/16", "10.0.16.0/20"));
        assert.ok(!cidrContains("10.0.16.0/20", "10.0.0.0/16"));
    });
});
