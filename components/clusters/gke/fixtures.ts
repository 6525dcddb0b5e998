/**
 * Google Cloud answers for the offline runtime: the provider calls the GKE component makes and
 * the outputs GCP computes for the resources whose outputs feed the kubeconfig or IAM bindings.
 */
import { ComputedOutputsFixture, fakeCertificateAuthority, fakeId, InvokeFixture, OfflineFixtures } from "../offline-fixtures";

const invokes: Record<string, InvokeFixture> = {
    "gcp:organizations/getProject:getProject": (inputs) => {
        const projectId = inputs.projectId ?? "fluxpilot-test";
        return {
            id: `projects/${projectId}`,
            projectId,
            name: projectId,
            number: fakeId(projectId, 12, "0123456789").replace(/^0/, "4"),
            labels: {},
            effectiveLabels: {},
            pulumiLabels: {},
            tags: {},
            autoCreateNetwork: false,
            billingAccount: "",
            deletionPolicy: "PREVENT",
            folderId: "",
            orgId: "",
        };
    },
    "gcp:compute/getZones:getZones": (inputs) => {
        const region = inputs.region ?? "europe-west1";
        return { id: `projects/${inputs.project ?? "fluxpilot-test"}/regions/${region}`, project: inputs.project, region, names: ["b", "c", "d"].map((z) => `${region}-${z}`) };
    },
};

const computedOutputs: Record<string, ComputedOutputsFixture> = {
    "gcp:container/cluster:Cluster": (name, inputs) => {
        const octets = Array.from(fakeId(name, 3, "0123456789"), (d) => 10 + Number(d) * 20);
        return {
            endpoint: `34.${octets.join(".")}`,
            masterAuth: { ...(inputs.masterAuth ?? {}), clusterCaCertificate: fakeCertificateAuthority(name) },
            masterVersion: `${inputs.minMasterVersion ?? "1.35"}.4-gke.1100000`,
            selfLink: `https://container.googleapis.com/v1/projects/fluxpilot-test/locations/${inputs.location}/clusters/${inputs.name ?? name}`,
        };
    },
    "gcp:serviceaccount/account:Account": (name, inputs) => {
        const email = `${inputs.accountId ?? name}@${inputs.project ?? "fluxpilot-test"}.iam.gserviceaccount.com`;
        return { email, member: `serviceAccount:${email}` };
    },
};

export const gkeOfflineFixtures: OfflineFixtures = { invokes, computedOutputs };
