import * as assert from "assert";
import { validateFluxSettings } from "../../components/flux/settings";
import { Flux } from "../../components/flux/flux";
import { GITHUB_TOKEN_KEY } from "../../core/git";
import { captured, clearRegisteredResources, isSecretInput, plainInput } from "../support/harness";
import { byName, FakeAksCluster, FLUX_CR_TYPE, model, SSH_REPO } from "./support";

const EXTENSION = "azure-native:kubernetesconfiguration:Extension";
const CONFIGURATION = "azure-native:kubernetesconfiguration:FluxConfiguration";

/** Builds Flux on a stand-in AKS cluster with the settings the stack model resolves for `env`. */
async function onAks(env: "dev" | "prod", gitops?: Record<string, unknown>, flux: Record<string, unknown> = {}, secrets: Record<string, string> = {}) {
    clearRegisteredResources();
    const m = model(env, { ...(gitops ? { "fluxpilot:gitops": gitops } : {}), "fluxpilot:flux": flux, ...secrets }, Object.keys(secrets));
    const settings = { ...m.fluxByCluster[`${env}-one`], installer: "aks-extension" as const, clusterType: "azure" as const };
    const cluster = new FakeAksCluster("aks");
    const component = new Flux("aks-flux", { cluster, settings, gitops: m.gitops, stack: env, environment: m.environment }, { providers: [cluster.provider] });
    return { component, resources: await captured() };
}

describe("flux: AKS extension installer", () => {
    it("installs the pinned microsoft.flux extension with the chosen components, auto-upgrade off", async () => {
        const { resources } = await onAks("prod", undefined, {
            components: ["source-controller", "kustomize-controller", "image-reflector-controller", "image-automation-controller"],
        });
        const extension = byName(resources, "aks-flux-extension");
        assert.strictEqual(extension.type, EXTENSION);
        assert.deepStrictEqual(
            [extension.inputs.extensionType, extension.inputs.version, extension.inputs.autoUpgradeMinorVersion, extension.inputs.resourceGroupName, extension.inputs.clusterName],
            ["microsoft.flux", "1.19.5", false, "rg-prod", "prod-aks"],
        );
        assert.deepStrictEqual(extension.inputs.scope, { cluster: { releaseNamespace: "flux-system" } });
        assert.deepStrictEqual(extension.inputs.configurationSettings, {
            "source-controller.enabled": "true",
            "kustomize-controller.enabled": "true",
            "helm-controller.enabled": "false",
            "notification-controller.enabled": "false",
            "image-reflector-controller.enabled": "true",
            "image-automation-controller.enabled": "true",
            "multiTenancy.enforce": "true",
        });
    });

    it("relaxes multi-tenancy in dev, where the stack allows it", async () => {
        const { resources } = await onAks("dev");
        assert.strictEqual(byName(resources, "aks-flux-extension").inputs.configurationSettings["multiTenancy.enforce"], "false");
    });

    it("syncs clusters/<env> through a FluxConfiguration named flux-system, after the extension", async () => {
        const { component, resources } = await onAks("prod");
        const configuration = byName(resources, "aks-flux-sync");
        assert.strictEqual(configuration.type, CONFIGURATION);
        assert.deepStrictEqual(
            [configuration.inputs.fluxConfigurationName, configuration.inputs.namespace, configuration.inputs.scope, configuration.inputs.sourceKind],
            ["flux-system", "flux-system", "cluster", "GitRepository"],
        );
        assert.deepStrictEqual(configuration.inputs.gitRepository, {
            url: "https://github.com/acme/fluxpilot",
            repositoryRef: { branch: "main" },
            syncIntervalInSeconds: 300,
            timeoutInSeconds: 600,
        });
        assert.deepStrictEqual(configuration.inputs.kustomizations, {
            clusters: { path: "./clusters/prod", prune: true, wait: true, syncIntervalInSeconds: 300, retryIntervalInSeconds: 60, timeoutInSeconds: 600 },
        });
        assert.ok(configuration.dependencies.includes(byName(resources, "aks-flux-extension").urn));
        assert.strictEqual(await (component.version as any).promise(), "microsoft.flux 1.19.5");
        assert.deepStrictEqual(
            resources.filter((r) => FLUX_CR_TYPE.test(r.type) || r.type === "kubernetes:core/v1:Namespace"),
            [],
        );
    });

    it("puts the deploy key Secret in the extension's namespace and references it from the configuration", async () => {
        const { resources } = await onAks(
            "prod",
            { repository: SSH_REPO, tag: "v2.0.0", auth: { type: "deployKey" }, github: { owner: "acme" } },
            {},
            { [GITHUB_TOKEN_KEY]: "ghp_offline" },
        );
        const secret = byName(resources, "aks-flux-git-credentials");
        const configuration = byName(resources, "aks-flux-sync");
        assert.ok(isSecretInput(secret.inputs.stringData));
        assert.deepStrictEqual(Object.keys(plainInput<object>(secret.inputs.stringData)).sort(), ["identity", "identity.pub", "known_hosts"]);
        assert.ok(secret.dependencies.includes(byName(resources, "aks-flux-extension").urn), "the namespace exists only once the extension is installed");
        assert.ok(configuration.dependencies.includes(secret.urn));
        assert.ok(configuration.dependencies.includes(byName(resources, "aks-flux-github-deploy-key").urn));
        assert.strictEqual(configuration.inputs.gitRepository.localAuthRef, "flux-system");
        assert.deepStrictEqual(configuration.inputs.gitRepository.repositoryRef, { tag: "v2.0.0" });
    });

    it("accepts a semver ref and rejects source-watcher, which the extension lacks", () => {
        const gitops = { ...model("prod").gitops, ref: { semver: ">=1.0.0 <2.0.0" } };
        const settings = { ...model("prod").fluxByCluster["prod-one"], installer: "aks-extension" as const };
        const context = { environment: "prod" as const, cloud: "azure", gitops };
        assert.deepStrictEqual(validateFluxSettings(settings, context), []);
        assert.deepStrictEqual(
            validateFluxSettings({ ...settings, installer: "flux-operator" }, context).map((p) => p.key),
            ["fluxpilot:gitops.semver"],
        );
        assert.deepStrictEqual(
            validateFluxSettings({ ...settings, components: [...settings.components, "source-watcher"] }, context).map((p) => `${p.field}: ${p.message}`),
            ["components: lists source-watcher, which the microsoft.flux extension does not offer"],
        );
    });

    it("refuses the Flux settings the extension has no configuration setting for, rather than dropping them", () => {
        const settings = { ...model("dev").fluxByCluster["dev-one"], installer: "aks-extension" as const };
        const context = { environment: "dev" as const, cloud: "azure", gitops: model("dev").gitops };
        const refused = validateFluxSettings({ ...settings, networkPolicy: false, tenantServiceAccount: "tenant", clusterDomain: "corp.local" }, context);
        assert.deepStrictEqual(
            refused.map((p) => [p.field, p.value]),
            [
                ["networkPolicy", false],
                ["tenantServiceAccount", "tenant"],
                ["clusterDomain", "corp.local"],
            ],
        );
        assert.ok(refused.every((p) => /cannot be honoured by the microsoft\.flux extension/.test(p.message) && /installer flux-operator/.test(p.fix)));
    });
});
