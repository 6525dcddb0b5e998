/**
 * Google Cloud answers for the offline runtime: the provider calls the GKE component makes and
 * the outputs GCP computes for the resources whose outputs feed the kubeconfig or IAM bindings.
 */
import { recordOrEmpty } from "../../../core/guards";
import { ComputedOutputsFixture, fakeCertificateAuthority, fakeId, inputText, InvokeFixture, OfflineFixtures } from "../offline-fixtures";

const invokes: Record<string, InvokeFixture> = {
    "gcp:organizations/getProject:getProject": (inputs) => {
        const projectId = inputText(inputs, "projectId", "fluxpilot-test");
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
        const region = inputText(inputs, "region", "europe-west1");
        return {
            id: `projects/${inputText(inputs, "project", "fluxpilot-test")}/regions/${region}`,
            project: inputs.project,
            region,
            names: ["b", "c", "d"].map((z) => `${region}-${z}`),
        };
    },
};

const computedOutputs: Record<string, ComputedOutputsFixture> = {
    "gcp:container/cluster:Cluster": (name, inputs) => {
        const octets = Array.from(fakeId(name, 3, "0123456789"), (d) => 10 + Number(d) * 20);
        return {
            endpoint: `34.${octets.join(".")}`,
            masterAuth: { ...recordOrEmpty(inputs.masterAuth), clusterCaCertificate: fakeCertificateAuthority(name) },
            masterVersion: `${inputText(inputs, "minMasterVersion", "1.35")}.4-gke.1100000`,
            selfLink: `https://container.googleapis.com/v1/projects/fluxpilot-test/locations/${inputText(inputs, "location")}/clusters/${inputText(inputs, "name", name)}`,
        };
    },
    "gcp:serviceaccount/account:Account": (name, inputs) => {
        const email = `${inputText(inputs, "accountId", name)}@${inputText(inputs, "project", "fluxpilot-test")}.iam.gserviceaccount.com`;
        return { email, member: `serviceAccount:${email}` };
    },
};

export const gkeOfflineFixtures: OfflineFixtures = { invokes, computedOutputs };
