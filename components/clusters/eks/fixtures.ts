/**
 * AWS answers for the offline runtime: the provider calls the EKS component makes and the
 * outputs AWS computes for the resources whose outputs feed other resources or the kubeconfig.
 */
import { ComputedOutputsFixture, fakeCertificateAuthority, fakeId, inputText, InvokeFixture, OfflineFixtures } from "../offline-fixtures";

export const FIXTURE_ACCOUNT_ID = "123456789012";
const FALLBACK_REGION = "eu-west-1";

/** A managed node group as the offline account holds it. */
export interface FixtureNodeGroup {
    name: string;
    pool: string;
    desiredSize: number;
    minSize: number;
    maxSize: number;
}

/**
 * Node groups the offline account already runs, by cluster name: none unless a test puts some
 * here (as if an earlier `up` had created them and the autoscaler had sized them since).
 */
export const FIXTURE_LIVE_NODE_GROUPS = new Map<string, FixtureNodeGroup[]>();

/** The offline account's node groups of a cluster; invoke inputs arrive untyped. */
function liveNodeGroups(clusterName: unknown): FixtureNodeGroup[] {
    return typeof clusterName === "string" ? (FIXTURE_LIVE_NODE_GROUPS.get(clusterName) ?? []) : [];
}

const invokes: Record<string, InvokeFixture> = {
    "aws:eks/getNodeGroups:getNodeGroups": (inputs) => ({
        id: inputs.clusterName,
        clusterName: inputs.clusterName,
        names: liveNodeGroups(inputs.clusterName).map((g) => g.name),
    }),
    "aws:eks/getNodeGroup:getNodeGroup": (inputs) => {
        const group = liveNodeGroups(inputs.clusterName).find((g) => g.name === inputs.nodeGroupName);
        if (!group) {
            const message = `ResourceNotFoundException: No node group found for name: ${String(inputs.nodeGroupName)}`;
            throw Object.assign(new Error(message), { details: message });
        }
        return {
            id: `${String(inputs.clusterName)}:${group.name}`,
            clusterName: inputs.clusterName,
            nodeGroupName: group.name,
            labels: { "fluxpilot.dev/pool": group.pool },
            scalingConfigs: [{ desiredSize: group.desiredSize, minSize: group.minSize, maxSize: group.maxSize }],
            status: "ACTIVE",
        };
    },
    // A made-up but well-formed version per add-on and Kubernetes minor, so a version bump shows.
    "aws:eks/getAddonVersion:getAddonVersion": (inputs) => {
        const minor = inputText(inputs, "kubernetesVersion", "").split(".")[1] ?? "0";
        return {
            id: inputs.addonName,
            addonName: inputs.addonName,
            kubernetesVersion: inputs.kubernetesVersion,
            mostRecent: inputs.mostRecent,
            version: `v1.${minor}.0-eksbuild.1`,
        };
    },
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        id: FIXTURE_ACCOUNT_ID,
        accountId: FIXTURE_ACCOUNT_ID,
        arn: `arn:aws:iam::${FIXTURE_ACCOUNT_ID}:user/fluxpilot-deployer`,
        userId: "AIDAFIXTUREDEPLOYER00",
    }),
    "aws:index/getPartition:getPartition": () => ({ id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": (inputs) => {
        const region = inputText(inputs, "region", FALLBACK_REGION);
        // Most accounts see only two zones in us-west-1; the others have three or more.
        const letters = region === "us-west-1" ? ["b", "c"] : ["a", "b", "c"];
        return {
            id: region,
            region,
            names: letters.map((l) => `${region}${l}`),
            zoneIds: letters.map((_, i) => `${region.replace(/-/g, "").slice(0, 3)}1-az${i + 1}`),
            groupNames: [region],
            state: "available",
        };
    },
};

const computedOutputs: Record<string, ComputedOutputsFixture> = {
    "aws:eks/cluster:Cluster": (name, inputs) => {
        const id = fakeId(name, 32);
        const region = inputText(inputs, "region", FALLBACK_REGION);
        return {
            arn: `arn:aws:eks:${region}:${FIXTURE_ACCOUNT_ID}:cluster/${inputText(inputs, "name", name)}`,
            endpoint: `https://${id}.gr7.${region}.eks.amazonaws.com`,
            certificateAuthority: { data: fakeCertificateAuthority(name) },
            identities: [{ oidcs: [{ issuer: `https://oidc.eks.${region}.amazonaws.com/id/${id}` }] }],
            status: "ACTIVE",
            platformVersion: "eks.5",
        };
    },
    "aws:kms/key:Key": (name) => {
        const keyId = `${fakeId(name, 8, "0123456789abcdef")}-${fakeId(`${name}/1`, 4, "0123456789abcdef")}-4${fakeId(`${name}/2`, 3, "0123456789abcdef")}-8${fakeId(`${name}/3`, 3, "0123456789abcdef")}-${fakeId(`${name}/4`, 12, "0123456789abcdef")}`;
        return { keyId, arn: `arn:aws:kms:${FALLBACK_REGION}:${FIXTURE_ACCOUNT_ID}:key/${keyId}` };
    },
    "aws:iam/role:Role": (name, inputs) => ({ arn: `arn:aws:iam::${FIXTURE_ACCOUNT_ID}:role/${inputText(inputs, "name", name)}`, name: inputs.name ?? name }),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": (_name, inputs) => ({
        arn: `arn:aws:iam::${FIXTURE_ACCOUNT_ID}:oidc-provider/${inputText(inputs, "url", "").replace(/^https:\/\//, "")}`,
    }),
    // EKS names an unnamed group as Pulumi auto-names it (<resource name>-<random suffix>); the
    // ARN ends in the group's ID (cluster-autoscaler.ts scopes eks:DescribeNodegroup to it).
    "aws:eks/nodeGroup:NodeGroup": (name, inputs) => {
        const nodeGroupName = inputText(inputs, "nodeGroupName", `${name}-${fakeId(name, 7, "0123456789abcdef")}`);
        const region = inputText(inputs, "region", FALLBACK_REGION);
        return {
            nodeGroupName,
            arn: `arn:aws:eks:${region}:${FIXTURE_ACCOUNT_ID}:nodegroup/${inputText(inputs, "clusterName", "")}/${nodeGroupName}/${fakeId(`${name}/id`, 8, "0123456789abcdef")}`,
        };
    },
    "aws:ec2/launchTemplate:LaunchTemplate": (name) => ({
        latestVersion: 1,
        arn: `arn:aws:ec2:${FALLBACK_REGION}:${FIXTURE_ACCOUNT_ID}:launch-template/lt-${fakeId(name, 17, "0123456789abcdef")}`,
    }),
};

export const eksOfflineFixtures: OfflineFixtures = { invokes, computedOutputs };
