import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { existingProvider, ExistingCluster, loadKubeconfig, resolveKubeconfigPath, selectKubeconfigContext } from "../../components/clusters/existing";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";
import { presets } from "../../core/environments";
import { captured, clearRegisteredResources, isSecretOutput, valueOf } from "../support/harness";
import { inPreview, tempRepoRoot } from "./support";

const KUBECONFIG = `apiVersion: v1
kind: Config
current-context: kind-fluxpilot
clusters:
  - name: kind-fluxpilot
    cluster:
      server: https://127.0.0.1:6443
      certificate-authority-data: Q0E=
  - name: prod
    cluster:
      server: https://prod.example.com
contexts:
  - name: kind-fluxpilot
    context: { cluster: kind-fluxpilot, user: kind-fluxpilot }
  - name: prod-admin
    context: { cluster: prod, user: prod-admin }
users:
  - name: kind-fluxpilot
    user: { client-certificate-data: a2luZA==, client-key-data: a2V5 }
  - name: prod-admin
    user: { token: prod-super-secret-token }
`;

describe("existing cluster", () => {
    describe("selectKubeconfigContext", () => {
        it("uses the current context when none is named", () => {
            const view = selectKubeconfigContext(KUBECONFIG, undefined, "test.yaml");
            assert.strictEqual(view.server, "https://127.0.0.1:6443");
            assert.strictEqual(parseYaml(view.minified)["current-context"], "kind-fluxpilot");
        });

        it("uses the named context", () => {
            assert.strictEqual(selectKubeconfigContext(KUBECONFIG, "prod-admin", "test.yaml").server, "https://prod.example.com");
        });

        it("keeps only the chosen context and its cluster, and no credentials at all", () => {
            const view = selectKubeconfigContext(KUBECONFIG, "kind-fluxpilot", "test.yaml");
            const minified = parseYaml(view.minified);
            assert.deepStrictEqual(
                minified.contexts.map((c: any) => c.name),
                ["kind-fluxpilot"],
            );
            assert.deepStrictEqual(
                minified.clusters.map((c: any) => c.name),
                ["kind-fluxpilot"],
            );
            assert.strictEqual(minified.users, undefined);
            assert.doesNotMatch(view.minified, /prod-super-secret-token|client-key-data|client-certificate-data|a2V5/);
        });

        it("names the missing context and lists the ones there are", () => {
            assert.throws(() => selectKubeconfigContext(KUBECONFIG, "kind-other", "/home/me/.kube/config"), {
                message: 'kubeconfig /home/me/.kube/config has no context "kind-other"; contexts there: kind-fluxpilot, prod-admin',
            });
            assert.throws(() => selectKubeconfigContext("apiVersion: v1\nkind: Config\n", undefined, "empty.yaml"), {
                message: 'kubeconfig empty.yaml has no context "(no current-context)"; contexts there: none',
            });
        });

        it("rejects a context whose cluster has no server", () => {
            const broken = KUBECONFIG.replace("server: https://prod.example.com", "insecure-skip-tls-verify: false");
            assert.throws(() => selectKubeconfigContext(broken, "prod-admin", "test.yaml"), {
                message: 'kubeconfig test.yaml: context "prod-admin" names cluster "prod", which has no server',
            });
        });
    });

    describe("resolveKubeconfigPath", () => {
        it("expands ~ to the home directory", () => {
            assert.strictEqual(resolveKubeconfigPath("~/.kube/kind", {}), path.join(os.homedir(), ".kube/kind"));
        });

        it("prefers the configured path, then the first entry of $KUBECONFIG, then ~/.kube/config", () => {
            const env = { KUBECONFIG: ["/etc/k/a.yaml", "/etc/k/b.yaml"].join(path.delimiter) };
            assert.strictEqual(resolveKubeconfigPath("/srv/config", env), "/srv/config");
            assert.strictEqual(resolveKubeconfigPath(undefined, env), "/etc/k/a.yaml");
            assert.strictEqual(resolveKubeconfigPath(undefined, {}), path.join(os.homedir(), ".kube/config"));
        });

        it("resolves a relative path against the working directory, as kubectl does", () => {
            assert.strictEqual(resolveKubeconfigPath("kube/config", {}), path.resolve("kube/config"));
        });
    });

    describe("loadKubeconfig", () => {
        const write = (dir: string, name: string, text: string) => {
            const file = path.join(dir, name);
            fs.writeFileSync(file, text);
            return file;
        };
        const config = { name: "laptop", cloud: "existing" as const, region: "local", protect: false, tags: {} };

        it("merges every file listed in $KUBECONFIG as kubectl does: the first to define a name wins", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
            const first = write(
                dir,
                "a",
                "current-context: kind-fluxpilot\ncontexts: [{name: kind-fluxpilot, context: {cluster: kind, user: kind}}]\nclusters: [{name: kind, cluster: {server: 'https://127.0.0.1:6443'}}]\nusers: [{name: kind, user: {token: a}}]\n",
            );
            const second = write(
                dir,
                "b",
                "current-context: staging\ncontexts: [{name: staging, context: {cluster: staging, user: staging}}, {name: kind-fluxpilot, context: {cluster: other, user: other}}]\nclusters: [{name: staging, cluster: {server: 'https://staging.example.com'}}]\nusers: [{name: staging, user: {token: b}}]\n",
            );
            const env = { KUBECONFIG: [first, path.join(dir, "missing"), second].join(path.delimiter) };
            const loaded = loadKubeconfig(config, env)!;
            assert.strictEqual(loaded.source, [first, second].join(path.delimiter));
            assert.strictEqual(selectKubeconfigContext(loaded.document, "staging", loaded.source).server, "https://staging.example.com");
            // current-context and the duplicate context name both come from the first file.
            assert.strictEqual(selectKubeconfigContext(loaded.document, undefined, loaded.source).server, "https://127.0.0.1:6443");
        });

        it("reads only the file the stack names, whatever $KUBECONFIG lists", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
            const named = write(dir, "named", KUBECONFIG);
            const env = { KUBECONFIG: [path.join(dir, "x"), path.join(dir, "y")].join(path.delimiter) };
            assert.strictEqual(loadKubeconfig({ ...config, kubeconfig: named }, env)!.source, named);
        });

        it("is undefined when no kubeconfig exists on this machine", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-"));
            assert.strictEqual(loadKubeconfig(config, { KUBECONFIG: [path.join(dir, "x"), path.join(dir, "y")].join(path.delimiter) }), undefined);
        });
    });

    describe("component", () => {
        let dir: string;
        let file: string;
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-kube-"));
            file = path.join(dir, "config");
            fs.writeFileSync(file, KUBECONFIG);
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));
        beforeEach(clearRegisteredResources);

        it("defaults from the local preset: resolved path, unprotected", () => {
            const config = existingProvider.withDefaults({ name: "local", cloud: "existing", kubeconfig: file, context: "kind-fluxpilot" }, presets.local);
            assert.deepStrictEqual(config, { name: "local", cloud: "existing", region: "local", kubeconfig: file, context: "kind-fluxpilot", protect: false, tags: {} });
            assert.deepStrictEqual(existingProvider.validate(config, presets.local, "fluxpilot:clusters[0]"), []);
        });

        it("creates nothing in any cloud: only the component and its Kubernetes provider", async () => {
            existingProvider.create({
                name: "local",
                cloud: "existing",
                region: "local",
                kubeconfig: file,
                context: "kind-fluxpilot",
                protect: false,
                tags: {},
                environment: "local",
            });
            const types = (await captured()).map((r) => r.type).sort();
            assert.deepStrictEqual(types, ["fluxpilot:clusters:ExistingCluster", "pulumi:providers:kubernetes"]);
        });

        it("wires the Kubernetes provider to the kubeconfig file and context, with server-side apply", async () => {
            const cluster = new ExistingCluster("local", {
                name: "local",
                cloud: "existing",
                region: "local",
                kubeconfig: file,
                context: "kind-fluxpilot",
                protect: false,
                tags: {},
                environment: "local",
            });
            const resources = await captured();
            const provider = resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
            const component = resources.find((r) => r.type === "fluxpilot:clusters:ExistingCluster")!;
            assert.strictEqual(provider.name, "local-k8s");
            assert.strictEqual(provider.parent, component.urn);
            assert.strictEqual(provider.inputs.kubeconfig, file);
            assert.strictEqual(provider.inputs.context, "kind-fluxpilot");
            assert.strictEqual(String(provider.inputs.enableServerSideApply), "true");
            assert.strictEqual(await valueOf((cluster.provider as any).urn), provider.urn);
        });

        it("exports the endpoint and a secret, minified kubeconfig", async () => {
            const cluster = new ExistingCluster("local", {
                name: "local",
                cloud: "existing",
                region: "local",
                kubeconfig: file,
                context: "kind-fluxpilot",
                protect: false,
                tags: {},
                environment: "local",
            });
            assert.strictEqual(await valueOf(cluster.endpoint), "https://127.0.0.1:6443");
            assert.strictEqual(await isSecretOutput(cluster.kubeconfig), true);
            assert.doesNotMatch(await valueOf(cluster.kubeconfig), /prod-super-secret-token/);
            assert.strictEqual(await valueOf(cluster.kubernetesVersion), "unmanaged");
            assert.strictEqual(await valueOf(cluster.oidcIssuerUrl), undefined);
        });

        it("reports a context the file lacks as a config problem, with the others, before any resource", async () => {
            const config = {
                "fluxpilot:environment": "local",
                "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot" },
                "fluxpilot:clusters": [
                    { name: "laptop", cloud: "existing", kubeconfig: file, context: "kind-fluxpilt" },
                    { name: "Other", cloud: "existing", kubeconfig: file },
                ],
            };
            let problems: string[] = [];
            try {
                parseStackModel("local", config, { repoRoot: tempRepoRoot(["local"]) });
            } catch (error) {
                assert.ok(isStackConfigError(error), String(error));
                problems = error.problems.map(formatProblem);
            }
            assert.deepStrictEqual(problems, [
                "fluxpilot:clusters[1].name: must be 1-30 characters of lowercase letters, digits and '-', starting with a letter (given: \"Other\"). Fix: rename it, e.g. 'prod-eks' (it names cloud resources, so keep it short)",
                `fluxpilot:clusters[0].context: cannot be used: kubeconfig ${file} has no context "kind-fluxpilt"; contexts there: kind-fluxpilot, prod-admin (given: "kind-fluxpilt"). ` +
                    "Fix: set context to one of the file's contexts (kind-fluxpilot, prod-admin), or create the cluster, e.g. 'kind create cluster --name fluxpilot'",
            ]);
            assert.deepStrictEqual(await captured(), []);
        });

        it("accepts the file's current context, and leaves a missing file to the component (a preview in CI has none)", () => {
            const config = (extra: Record<string, unknown>) => existingProvider.withDefaults({ name: "local", cloud: "existing", ...extra }, presets.local);
            assert.deepStrictEqual(existingProvider.validate(config({ kubeconfig: file }), presets.local, "fluxpilot:clusters[0]"), []);
            assert.deepStrictEqual(existingProvider.validate(config({ kubeconfig: path.join(dir, "nope"), context: "x" }), presets.local, "fluxpilot:clusters[0]"), []);
        });

        it("reports a file that is not a kubeconfig under its key", () => {
            const broken = path.join(dir, "broken");
            fs.writeFileSync(broken, "clusters: [unclosed\n");
            const config = existingProvider.withDefaults({ name: "local", cloud: "existing", kubeconfig: broken }, presets.local);
            const problems = existingProvider.validate(config, presets.local, "fluxpilot:clusters[0]");
            assert.deepStrictEqual(
                problems.map((p) => [p.key, p.value]),
                [["fluxpilot:clusters[0].kubeconfig", broken]],
            );
            assert.match(problems[0].message, /^could not be read as a kubeconfig: /);
        });

        it("reports a YAML file whose sections are not a kubeconfig's, naming the section", () => {
            const mapped = path.join(dir, "mapped");
            fs.writeFileSync(mapped, "current-context: kind\ncontexts: {kind: {cluster: kind}}\n");
            const config = existingProvider.withDefaults({ name: "local", cloud: "existing", kubeconfig: mapped }, presets.local);
            const problems = existingProvider.validate(config, presets.local, "fluxpilot:clusters[0]");
            assert.deepStrictEqual(
                problems.map((p) => [p.key, p.value]),
                [["fluxpilot:clusters[0].kubeconfig", mapped]],
            );
            assert.match(problems[0].message, /^could not be read as a kubeconfig: contexts: .*expected array/);
        });

        it("in a preview, prints the missing-kubeconfig warning itself when the engine does not take it", async () => {
            const missing = path.join(dir, "absent");
            // Writable views of the two functions the component reaches; restored below.
            const log: { warn: typeof pulumi.log.warn } = pulumi.log;
            const terminal: { warn: typeof console.warn } = console;
            const [warn, consoleWarn] = [log.warn, terminal.warn];
            const printed: string[] = [];
            log.warn = () => Promise.reject(new Error("engine connection closed"));
            terminal.warn = (message: string) => printed.push(message);
            try {
                const registered = await inPreview("existing-warn", () => {
                    new ExistingCluster("local", { name: "local", cloud: "existing", region: "local", kubeconfig: missing, protect: false, tags: {}, environment: "local" });
                });
                assert.ok(registered.some((r) => r.type === "fluxpilot:clusters:ExistingCluster"));
            } finally {
                log.warn = warn;
                terminal.warn = consoleWarn;
            }
            assert.deepStrictEqual(printed, [
                `warning: cluster local: kubeconfig ${missing} not found; endpoint and kubeconfig are unknown until it exists (the Pulumi engine did not take this warning: engine connection closed)`,
            ]);
        });

        it("fails an update clearly when the kubeconfig file is missing", () => {
            const missing = path.join(dir, "nope");
            assert.throws(
                () => new ExistingCluster("local", { name: "local", cloud: "existing", region: "local", kubeconfig: missing, protect: false, tags: {}, environment: "local" }),
                {
                    message: `cluster local: kubeconfig ${missing} not found. Create the cluster (e.g. 'kind create cluster --name fluxpilot') or set kubeconfig for this cluster in the stack config.`,
                },
            );
        });
    });
});
