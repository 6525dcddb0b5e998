import * as assert from "assert";
import * as path from "path";
import { z } from "zod";
import { presets } from "../../core/environments";
import { parseStackModel } from "../../stacks/model";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { cidr } from "../../core/rules";
import { cidrContains, cidrsOverlap } from "../../core/cidr";
import { parseWithProblems } from "../../core/zod-problems";
import { fluxKustomizationPaths } from "../../stacks/gitops";
import { validateManagedCluster } from "../../components/clusters/managed";
import { ManagedClusterConfig } from "../../components/clusters/provider";
import { badConfigCases, localConfig } from "./bad-configs";
import { problemsOf, repoRoot } from "./support";
import { hostileConfigCases, PLANTED_TOKEN, prodConfig } from "./hostile-configs";
import { refNameProblem, redactUrl } from "../../core/git";

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
        const config = Object.fromEntries(Object.entries(localConfig()).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
        assert.strictEqual(parseStackModel("local", config, { repoRoot }).clusters[0].name, "laptop");
    });

    describe("rejects bad configuration with the key, the value and the fix", () => {
        for (const [title, mutate, expected] of badConfigCases) {
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

describe("a stack file cannot weaken prod or inject into the cluster", () => {
    // These read the real clusters/prod, so they parse against this repository.
    const prodProblems = (config: Record<string, unknown>): string[] => {
        try {
            parseStackModel("prod", config);
        } catch (error) {
            assert.ok(isStackConfigError(error), `expected a StackConfigError, got ${String(error)}`);
            return error.problems.map(formatProblem);
        }
        assert.fail("expected the configuration to be rejected");
    };

    it("accepts the valid prod stack the cases start from", () => {
        assert.strictEqual(parseStackModel("prod", prodConfig()).gitops.path, "clusters/prod");
    });

    for (const [title, mutate, expected] of hostileConfigCases) {
        it(title, () => {
            const config = prodConfig();
            mutate(config);
            const problems = prodProblems(config);
            assert.deepStrictEqual(problems, [expected]);
            assert.ok(!problems.join("\n").includes(PLANTED_TOKEN), "a credential reached a message");
        });
    }

    it("applies the same source rules to staging", () => {
        const config = prodConfig();
        config["fluxpilot:environment"] = "staging";
        (config["fluxpilot:gitops"] as any).branch = "feature/unreviewed";
        assert.match(prodProblems(config).join("\n"), /fluxpilot:gitops\.branch: is not main: staging syncs only reviewed content/);
    });

    it("lets dev follow any valid branch of any repository", () => {
        const config = localConfig();
        config["fluxpilot:environment"] = "dev";
        config["fluxpilot:gitops"] = { repository: "https://github.com/someone/fork", branch: "feature/try-this" };
        config["fluxpilot:clusters"] = [{ name: "dev-edge", cloud: "existing", context: "kind-fluxpilot" }];
        config["fluxpilot:apps"] = [];
        assert.strictEqual(parseStackModel("dev", config).gitops.repository, "https://github.com/someone/fork");
    });

    it("accepts a release tag in prod", () => {
        const config = prodConfig();
        config["fluxpilot:gitops"] = { repository: "ssh://git@github.com/FluxPilot/fluxpilot.git", tag: "v1.2.0", auth: { type: "secretRef", secretName: "git" } };
        assert.deepStrictEqual(parseStackModel("prod", config).gitops.ref, { tag: "v1.2.0" });
    });
});

describe("Git ref names (git check-ref-format)", () => {
    const valid = ["main", "release/2026-11", "feature/a.b", "v1.2.0", "user@host", "a-b_c+d"];
    const invalid = [
        "",
        "a b",
        "a\nb",
        "a\tb",
        "a~1",
        "a^",
        "a:b",
        "a?",
        "a*",
        "a[b",
        "a\\b",
        "a..b",
        "a@{b",
        "@",
        "/a",
        "a/",
        "a//b",
        ".a",
        "a/.b",
        "a.lock",
        "a/b.lock/c",
        "a.",
        "-a",
        "a\x7fb",
    ];
    for (const name of valid) it(`accepts ${JSON.stringify(name)}`, () => assert.strictEqual(refNameProblem(name), undefined));
    for (const name of invalid) it(`refuses ${JSON.stringify(name)}`, () => assert.ok(refNameProblem(name)));
});

describe("URLs in messages", () => {
    it("never shows user information (but git@ on ssh), a query or a fragment", () => {
        assert.strictEqual(redactUrl("https://u:p@github.com/a/b"), "https://[redacted]@github.com/a/b");
        assert.strictEqual(redactUrl("https://token@github.com/a/b"), "https://[redacted]@github.com/a/b");
        assert.strictEqual(redactUrl("https://a@b:c@github.com/a/b"), "https://[redacted]@github.com/a/b");
        assert.strictEqual(redactUrl("ssh://git@github.com/a/b"), "ssh://git@github.com/a/b");
        assert.strictEqual(redactUrl("https://github.com/a/b?token=x#y"), "https://github.com/a/b?[redacted]");
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
        workloadIdentities: [],
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
        assert.deepStrictEqual(check(c), ['fluxpilot:clusters[0].kubernetesVersion: is not a Kubernetes version Amazon EKS supports (given: "1.27"). Fix: use one of 1.34, 1.35']);
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

describe("apps synced by the Git entry point", () => {
    it("follows kustomization.yaml resources into folders and ignores files it does not list", () => {
        assert.deepStrictEqual(fluxKustomizationPaths(repoRoot, "clusters/staging"), ["apps/sample-app/overlays/staging"]);
    });

    it("reads every YAML file of an entry point without kustomization.yaml", () => {
        assert.deepStrictEqual(fluxKustomizationPaths(repoRoot, "clusters/dev"), ["apps/sample-app/overlays/dev"]);
    });

    it("finds every app in this repository's entry points", () => {
        const root = path.resolve(__dirname, "..", "..");
        for (const env of ["dev", "staging", "prod", "local"]) {
            assert.ok(fluxKustomizationPaths(root, `clusters/${env}`).includes(`apps/sample-app/overlays/${env}`), env);
        }
    });
});
