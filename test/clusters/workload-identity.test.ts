/**
 * Workload identities per cloud, under mocks: what each cloud gets, how it is scoped to one
 * cluster and one service account, the identifiers in the cluster facts, and the bad input the
 * stack model refuses with the setting, the value and the fix.
 */
import * as assert from "assert";
import { aksProvider } from "../../components/clusters/aks";
import { FIXTURE_SUBSCRIPTION_ID } from "../../components/clusters/aks/fixtures";
import { eksProvider } from "../../components/clusters/eks";
import { podIdentityTrustPolicy } from "../../components/clusters/eks/workload-identity";
import { gkeProvider } from "../../components/clusters/gke";
import { formatProblem, isStackConfigError } from "../../core/problems";
import { parseStackModel } from "../../stacks/model";
import { composeStack } from "../../stacks/compose";
import { captured, clearRegisteredResources, plainInput, valueOf } from "../support/harness";
import { build, tempRepoRoot } from "./support";

// kube-system/cluster-autoscaler is built in on EKS (cluster-autoscaler.test.ts), so another controller serves as the example.
const controller = { serviceAccount: "external-dns", namespace: "external-dns" };
const K = "fluxpilot:clusters[0].workloadIdentities";

describe("workload identities", () => {
    it("EKS: a Pod Identity association per identity, its role assumable only by Pod Identity for this cluster, namespace and service account", async () => {
        const policy = "arn:aws:iam::111122223333:policy/external-dns";
        const built = await build(
            eksProvider,
            { name: "prod-eks", cloud: "aws", region: "eu-west-1", endpoint: { publicAccess: false }, workloadIdentities: [{ ...controller, permissions: [policy] }] },
            "prod",
        );
        const association = built.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").find((a) => a.inputs.serviceAccount === "external-dns")!;
        assert.deepStrictEqual([association.inputs.namespace, association.inputs.serviceAccount, association.inputs.clusterName], ["external-dns", "external-dns", "prod-eks"]);
        const role = built.ofType("aws:iam/role:Role").find((r) => r.name === "prod-eks-wi-external-dns-external-dns");
        assert.ok(role, "the identity's role");
        assert.match(String(role.inputs.name), /^prod-eks-wi-[0-9a-f]{8}$/);
        const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
        assert.deepStrictEqual(
            trust.Statement.map((s: { Principal: unknown }) => s.Principal),
            [{ Service: "pods.eks.amazonaws.com" }],
        );
        assert.deepStrictEqual(trust.Statement[0].Action, ["sts:AssumeRole", "sts:TagSession"]);
        assert.deepStrictEqual(trust.Statement[0].Condition.StringEquals, {
            "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-west-1:123456789012:cluster/prod-eks",
            "aws:RequestTag/kubernetes-namespace": "external-dns",
            "aws:RequestTag/kubernetes-service-account": "external-dns",
        });
        const attachments = built.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((r) => r.name.startsWith("prod-eks-wi-"));
        assert.deepStrictEqual(
            attachments.map((a) => a.inputs.policyArn),
            [policy],
            "only the listed policy",
        );
        const facts = built.cluster.identityFacts ?? {};
        assert.deepStrictEqual(Object.keys(facts), ["identity_external_dns_external_dns", "identity_kube_system_cluster_autoscaler"]);
        assert.match(await valueOf(facts.identity_external_dns_external_dns), /^arn:aws:iam::123456789012:role\/prod-eks-wi-[0-9a-f]{8}$/);
    });

    it("EKS: no identity declared, only the built-in ones: cluster-autoscaler's (with its fact) and kustomize-controller's for SOPS", async () => {
        const built = await build(eksProvider, { name: "dev-eks", cloud: "aws", region: "eu-west-1" }, "dev");
        // kustomize-controller's is every EKS cluster's for its SOPS key (sops-key.ts), and is no fact.
        assert.deepStrictEqual(
            built
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .map((a) => `${String(a.inputs.namespace)}/${String(a.inputs.serviceAccount)}`)
                .sort(),
            ["flux-system/kustomize-controller", "kube-system/cluster-autoscaler"],
        );
        assert.deepStrictEqual(Object.keys(built.cluster.identityFacts ?? {}), ["identity_kube_system_cluster_autoscaler"]);
        assert.doesNotMatch(podIdentityTrustPolicy("arn:aws:eks:eu-west-1:1:cluster/a", { ...controller, permissions: [] }), /"\*"/);
    });

    it("GKE: a Google service account per identity, impersonable only by PROJECT.svc.id.goog[ns/sa], with only the listed roles", async () => {
        const built = await build(
            gkeProvider,
            {
                name: "prod-gke",
                cloud: "gcp",
                project: "acme-prod",
                region: "europe-west1",
                endpoint: { publicAccess: false },
                workloadIdentities: [{ serviceAccount: "external-dns", namespace: "dns", permissions: ["roles/dns.admin"] }],
            },
            "prod",
        );
        const account = built.ofType("gcp:serviceaccount/account:Account").find((r) => r.name === "prod-gke-wi-dns-external-dns");
        assert.ok(account);
        assert.match(String(account.inputs.accountId), /^wi-[0-9a-f]{12}$/);
        const user = built.named("gcp:serviceaccount/iAMMember:IAMMember", "wi-dns-external-dns-user");
        assert.deepStrictEqual([user.inputs.role, user.inputs.member], ["roles/iam.workloadIdentityUser", "serviceAccount:acme-prod.svc.id.goog[dns/external-dns]"]);
        const grants = built.ofType("gcp:projects/iAMMember:IAMMember").filter((r) => r.name.startsWith("prod-gke-wi-"));
        assert.deepStrictEqual(
            grants.map((g) => g.inputs.role),
            ["roles/dns.admin"],
        );
        assert.ok(built.cluster.identityFacts?.identity_dns_external_dns, "the e-mail is a cluster fact");
    });

    it("AKS: a user-assigned identity per identity, federated only with this cluster's issuer and service account, roles scoped to the cluster's resource group", async () => {
        const reader = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
        const built = await build(
            aksProvider,
            {
                name: "prod-aks",
                cloud: "azure",
                region: "westeurope",
                endpoint: { publicAccess: false },
                adminGroupObjectIds: ["3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b"],
                workloadIdentities: [{ serviceAccount: "reporter", namespace: "reports", permissions: [reader] }],
            },
            "prod",
        );
        const credential = built.named("azure-native:managedidentity:FederatedIdentityCredential", "wi-reports-reporter");
        assert.strictEqual(credential.inputs.subject, "system:serviceaccount:reports:reporter");
        assert.deepStrictEqual(credential.inputs.audiences, ["api://AzureADTokenExchange"]);
        assert.strictEqual(credential.inputs.issuer, await valueOf(built.cluster.oidcIssuerUrl));
        const assignments = built.ofType("azure-native:authorization:RoleAssignment").filter((r) => r.name.startsWith("prod-aks-wi-"));
        assert.strictEqual(assignments.length, 1);
        assert.strictEqual(assignments[0].inputs.roleDefinitionId, `/subscriptions/${FIXTURE_SUBSCRIPTION_ID}/providers/Microsoft.Authorization/roleDefinitions/${reader}`);
        // The mock runtime gives each resource the id `<logical name>-id`.
        assert.strictEqual(assignments[0].inputs.scope, `${built.only("azure-native:resources:ResourceGroup").name}-id`, "the cluster's resource group, not the subscription");
        assert.ok(built.cluster.identityFacts?.identity_reports_reporter, "the client ID is a cluster fact");
    });

    describe("bad input is refused with the setting, the value and the fix", () => {
        const repoRoot = tempRepoRoot(["prod"]);
        const problemsOf = (cluster: Record<string, unknown>): string[] => {
            try {
                parseStackModel(
                    "test",
                    { "fluxpilot:environment": "prod", "fluxpilot:gitops": { repository: "https://github.com/fluxpilot/fluxpilot" }, "fluxpilot:clusters": [cluster] },
                    { repoRoot },
                );
            } catch (error) {
                assert.ok(isStackConfigError(error), String(error));
                return error.problems.map(formatProblem);
            }
            return [];
        };
        const eks = (workloadIdentities: unknown) => ({ name: "prod-eks", cloud: "aws", region: "eu-west-1", endpoint: { publicAccess: false }, workloadIdentities });
        const gke = (workloadIdentities: unknown) => ({
            name: "prod-gke",
            cloud: "gcp",
            project: "acme-prod",
            region: "europe-west1",
            endpoint: { publicAccess: false },
            workloadIdentities,
        });

        it("an identity with no permissions", () => {
            assert.deepStrictEqual(problemsOf(eks([{ ...controller, permissions: [] }])), [
                `${K}[0].permissions: gives external-dns/external-dns no cloud permission (given: []). Fix: list what it needs, each as an IAM policy ARN, e.g. arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess or arn:aws:iam::111122223333:policy/my-controller, or remove the identity`,
            ]);
        });

        it("a permission in another cloud's form, or in none", () => {
            assert.deepStrictEqual(problemsOf(eks([{ ...controller, permissions: ["roles/storage.admin"] }])), [
                `${K}[0].permissions[0]: is not a permission this cloud understands (expected an IAM policy ARN) (given: "roles/storage.admin"). Fix: write it like arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess or arn:aws:iam::111122223333:policy/my-controller`,
            ]);
            assert.deepStrictEqual(problemsOf(gke([{ ...controller, permissions: ["storage.buckets.get"] }])), [
                `${K}[0].permissions[0]: is not a permission this cloud understands (expected an IAM role) (given: "storage.buckets.get"). Fix: write it like roles/storage.objectViewer or projects/my-project/roles/myControllerRole`,
            ]);
        });

        it("a service account declared twice", () => {
            const policy = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess";
            assert.deepStrictEqual(
                problemsOf(
                    eks([
                        { ...controller, permissions: [policy] },
                        { ...controller, permissions: [policy] },
                    ]),
                ),
                [
                    `${K}[1].serviceAccount: is the service account of ${K}[0] too (or has the same fact name, identity_external_dns_external_dns) (given: "external-dns/external-dns"). Fix: declare each service account once, with all the permissions it needs`,
                ],
            );
        });

        it("a name that is no Kubernetes name, and an unknown key", () => {
            const problems = problemsOf(
                eks([{ serviceAccount: "Bad_Name", namespace: "kube-system", permissions: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"], role: "x" }]),
            );
            assert.ok(
                problems.some((p) => p.startsWith(`${K}[0].serviceAccount: is not a Kubernetes name`)),
                problems.join("\n"),
            );
            assert.ok(
                problems.some((p) => /role/.test(p)),
                problems.join("\n"),
            );
        });
    });
});

describe("workload identities in the cluster facts", () => {
    it("each identity's cloud identifier reaches the cluster-facts ConfigMap Flux substitutes from", async () => {
        clearRegisteredResources();
        const model = parseStackModel(
            "test",
            {
                "fluxpilot:environment": "prod",
                "fluxpilot:gitops": { repository: "https://github.com/fluxpilot/fluxpilot" },
                "fluxpilot:clusters": [
                    {
                        name: "prod-eks",
                        cloud: "aws",
                        region: "eu-west-1",
                        endpoint: { publicAccess: false },
                        workloadIdentities: [{ ...controller, permissions: ["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"] }],
                    },
                ],
            },
            { repoRoot: tempRepoRoot(["prod"]) },
        );
        composeStack(model);
        const facts = (await captured()).find((r) => r.name === "prod-eks-flux-cluster-facts");
        assert.ok(facts);
        assert.match(plainInput<Record<string, string>>(facts.inputs.data).identity_external_dns_external_dns, /^arn:aws:iam::123456789012:role\/prod-eks-wi-[0-9a-f]{8}$/);
    });
});
