/**
 * The SOPS key per cloud, under mocks (issue 12 item 3): one key per cluster, and only
 * kustomize-controller's identity may decrypt with it; what the Flux installer must apply to the
 * controller; what the stack model refuses.
 */
import * as assert from "assert";
import { aksProvider } from "../../components/clusters/aks";
import { eksProvider } from "../../components/clusters/eks";
import { DECRYPTING_ACTIONS, sopsKeyPolicy } from "../../components/clusters/eks/sops-key";
import { gkeProvider } from "../../components/clusters/gke";
import { SOPS_DECRYPTER_ROLE } from "../../components/clusters/gke/sops-key";
import { kustomizeControllerPatches } from "../../components/flux/installers/operator";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";
import { valueOf } from "../support/harness";
import { build, tempRepoRoot } from "./support";

const CONTROLLER_ROLE = /^arn:aws:iam::123456789012:role\/prod-eks-wi-[0-9a-f]{8}$/;

describe("SOPS key per cluster", () => {
    it("EKS: a rotating KMS key with an alias, decryptable by kustomize-controller's Pod Identity role alone", async () => {
        const built = await build(eksProvider, { name: "prod-eks", cloud: "aws", region: "eu-west-1", endpoint: { publicAccess: false } }, "prod");
        const key = built.named("aws:kms/key:Key", "sops").inputs;
        assert.strictEqual(key.enableKeyRotation, true);
        assert.deepStrictEqual(built.named("aws:kms/alias:Alias", "sops").inputs.name, "alias/prod-eks-sops");
        const association = built.named("aws:eks/podIdentityAssociation:PodIdentityAssociation", "wi-flux-system-kustomize-controller").inputs;
        assert.deepStrictEqual([association.namespace, association.serviceAccount], ["flux-system", "kustomize-controller"]);
        const role = built.named("aws:iam/role:Role", "wi-flux-system-kustomize-controller").inputs;
        assert.ok(!built.resources.some((r) => r.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" && r.name.includes("kustomize-controller")), "no IAM policy");

        const policy = JSON.parse(String(key.policy));
        const [account, allow, deny] = policy.Statement;
        assert.deepStrictEqual([account.Principal, account.Action], [{ AWS: "arn:aws:iam::123456789012:root" }, "kms:*"]);
        assert.match(allow.Principal.AWS, CONTROLLER_ROLE);
        assert.deepStrictEqual(allow.Action, ["kms:Decrypt", "kms:DescribeKey"]);
        assert.deepStrictEqual([deny.Effect, deny.Principal, deny.Action], ["Deny", { AWS: "*" }, DECRYPTING_ACTIONS]);
        // The role itself, not a session: aws:PrincipalArn of an assumed-role session is the role's ARN.
        assert.deepStrictEqual(deny.Condition, { ArnNotEquals: { "aws:PrincipalArn": allow.Principal.AWS } });
        assert.match(String(role.name), /^prod-eks-wi-[0-9a-f]{8}$/);
        assert.strictEqual(allow.Principal.AWS, `arn:aws:iam::123456789012:role/${String(role.name)}`);

        assert.strictEqual(built.cluster.sopsKey?.kind, "kms");
        assert.match(await valueOf(built.cluster.sopsKey.key), /^arn:aws:kms:eu-west-1:123456789012:key\//);
        assert.deepStrictEqual([built.cluster.sopsKey.serviceAccountAnnotations, built.cluster.sopsKey.podLabels], [{}, {}], "Pod Identity needs no annotation");
    });

    it("EKS: the key policy denies decrypt to everyone whose principal is not the controller's role", () => {
        const policy = JSON.parse(sopsKeyPolicy("aws-us-gov", "111122223333", "arn:aws-us-gov:iam::111122223333:role/r"));
        const decryptAllowed = policy.Statement.filter(
            (s: { Effect: string; Action: string | string[] }) => s.Effect === "Allow" && [s.Action].flat().some((a) => a === "kms:Decrypt"),
        );
        assert.deepStrictEqual(
            decryptAllowed.map((s: { Principal: unknown }) => s.Principal),
            [{ AWS: "arn:aws-us-gov:iam::111122223333:role/r" }],
        );
        assert.strictEqual(policy.Statement[0].Principal.AWS, "arn:aws-us-gov:iam::111122223333:root");
    });

    it("GKE: a key ring and key kept on destroy, decrypter role on that key only, for a Workload Identity service account", async () => {
        const built = await build(gkeProvider, { name: "prod-gke", cloud: "gcp", project: "acme-prod", region: "europe-west1", endpoint: { publicAccess: false } }, "prod");
        const ring = built.named("gcp:kms/keyRing:KeyRing", "sops");
        const key = built.named("gcp:kms/cryptoKey:CryptoKey", "sops");
        assert.deepStrictEqual([ring.inputs.name, ring.inputs.location, key.inputs.name, key.inputs.rotationPeriod], ["prod-gke-sops", "europe-west1", "sops", "7776000s"]);
        for (const r of [ring, key]) assert.strictEqual(r.retainOnDelete, true, `${r.name} survives a destroy`);
        // The mock runtime gives each resource the id `<name>-id`.
        const grants = built.ofType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").filter((r) => r.inputs.cryptoKeyId === `${key.name}-id`);
        assert.strictEqual(grants.length, 1);
        assert.strictEqual(grants[0].inputs.role, SOPS_DECRYPTER_ROLE);
        const account = built.named("gcp:serviceaccount/account:Account", "wi-flux-system-kustomize-controller");
        const email = `${String(account.inputs.accountId)}@acme-prod.iam.gserviceaccount.com`;
        assert.strictEqual(grants[0].inputs.member, `serviceAccount:${email}`);
        const user = built.named("gcp:serviceaccount/iAMMember:IAMMember", "wi-flux-system-kustomize-controller-user").inputs;
        assert.deepStrictEqual([user.role, user.member], ["roles/iam.workloadIdentityUser", "serviceAccount:acme-prod.svc.id.goog[flux-system/kustomize-controller]"]);
        assert.ok(!built.ofType("gcp:projects/iAMMember:IAMMember").some((r) => r.inputs.member === `serviceAccount:${email}`), "no project-wide role");

        const sops = built.cluster.sopsKey;
        assert.ok(sops);
        assert.strictEqual(await valueOf(sops.key), "projects/acme-prod/locations/europe-west1/keyRings/prod-gke-sops/cryptoKeys/sops");
        assert.strictEqual(await valueOf(sops.serviceAccountAnnotations["iam.gke.io/gcp-service-account"]), email);
    });

    it("AKS: an RSA key in a vault of its own, Key Vault Crypto User scoped to the key for a federated identity", async () => {
        const built = await build(
            aksProvider,
            { name: "prod-aks", cloud: "azure", region: "westeurope", adminGroupObjectIds: ["3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"], endpoint: { publicAccess: false } },
            "prod",
        );
        const vault = built.named("azure-native:keyvault:Vault", "sops").inputs;
        assert.match(String(vault.vaultName), /^prod-aks-sk-[0-9a-f]{6}$/);
        assert.strictEqual(vault.properties.enableRbacAuthorization, true);
        const key = built.named("azure-native:keyvault:Key", "sops").inputs;
        assert.deepStrictEqual([key.keyName, key.properties.kty, key.properties.keyOps], ["sops", "RSA", ["encrypt", "decrypt"]]);
        const credential = built.named("azure-native:managedidentity:FederatedIdentityCredential", "wi-flux-system-kustomize-controller").inputs;
        assert.strictEqual(credential.subject, "system:serviceaccount:flux-system:kustomize-controller");
        const grant = built.named("azure-native:authorization:RoleAssignment", "sops-decrypter").inputs;
        assert.match(String(grant.roleDefinitionId), /\/roleDefinitions\/12338af0-0e69-4776-bea7-57ae8d297424$/);
        assert.strictEqual(grant.scope, "prod-aks-sops-id/keys/sops");
        const identity = built.named("azure-native:managedidentity:UserAssignedIdentity", "wi-flux-system-kustomize-controller");
        assert.ok(
            !built.ofType("azure-native:authorization:RoleAssignment").some((r) => r.name !== "prod-aks-sops-decrypter" && r.inputs.principalId === grant.principalId),
            "no other role",
        );
        assert.ok(identity);

        const sops = built.cluster.sopsKey;
        assert.ok(sops);
        assert.match(await valueOf(sops.key), /^https:\/\/prod-aks-sk-[0-9a-f]{6}\.vault\.azure\.net\/keys\/sops\/[0-9a-f]{32}$/);
        assert.match(await valueOf(sops.serviceAccountAnnotations["azure.workload.identity/client-id"]), /^[0-9a-f-]{36}$/);
        assert.deepStrictEqual(sops.podLabels, { "azure.workload.identity/use": "true" });
    });

    it("the FluxInstance patches kustomize-controller's service account and pods, and nothing when there is nothing to add", () => {
        const patches = kustomizeControllerPatches({
            serviceAccountAnnotations: { "azure.workload.identity/client-id": "c" },
            podLabels: { "azure.workload.identity/use": "true" },
        });
        assert.deepStrictEqual(
            patches.map((p) => p.target),
            [
                { kind: "ServiceAccount", name: "kustomize-controller" },
                { kind: "Deployment", name: "kustomize-controller" },
            ],
        );
        assert.match(patches[0].patch, /annotations:\n {4}azure.workload.identity\/client-id: c\n/);
        assert.match(patches[1].patch, /template:\n {4}metadata:\n {6}labels:\n {8}azure.workload.identity\/use: "true"\n/);
        assert.deepStrictEqual(kustomizeControllerPatches({ serviceAccountAnnotations: {}, podLabels: {} }), []);
    });

    it("refuses a declared workload identity for flux-system/kustomize-controller, which fluxpilot creates itself", () => {
        const cluster = {
            name: "prod-eks",
            cloud: "aws",
            region: "eu-west-1",
            endpoint: { publicAccess: false },
            workloadIdentities: [{ serviceAccount: "kustomize-controller", namespace: "flux-system", permissions: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
        };
        let problems: string[] = [];
        try {
            parseStackModel(
                "test",
                { "fluxpilot:environment": "prod", "fluxpilot:gitops": { repository: "https://github.com/fluxpilot/fluxpilot" }, "fluxpilot:clusters": [cluster] },
                { repoRoot: tempRepoRoot(["prod"]) },
            );
        } catch (error) {
            assert.ok(isStackConfigError(error), String(error));
            problems = error.problems.map(formatProblem);
        }
        assert.strictEqual(problems.length, 1, problems.join("\n"));
        assert.match(problems[0], /fluxpilot:clusters\[0\]\.workloadIdentities\[0\]\.serviceAccount/);
        assert.match(problems[0], /flux-system\/kustomize-controller/);
        assert.match(problems[0], /remove this identity/);
    });
});
