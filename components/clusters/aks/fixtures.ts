/**
 * Azure answers for the offline runtime: the provider calls the AKS component makes and the
 * outputs Azure computes for the resources whose outputs feed role assignments or the kubeconfig.
 */
import { stringify as stringifyYaml } from "yaml";
import { recordOrEmpty } from "../../../core/guards";
import { ComputedOutputsFixture, fakeCertificateAuthority, fakeId, inputText, InvokeFixture, OfflineFixtures } from "../offline-fixtures";

export const FIXTURE_TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const FIXTURE_SUBSCRIPTION_ID = "5b2c7e14-9a3d-4f1e-8c6b-2a7d9e0f1c34";
const FALLBACK_LOCATION = "westeurope";

/** A stable, well-formed GUID derived from a name. */
export function fakeGuid(name: string): string {
    const hex = fakeId(name, 32, "0123456789abcdef");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

function aksFqdn(clusterName: string, location: string, isPrivate = false): string {
    return `${clusterName}-${fakeId(clusterName, 8, "0123456789abcdef")}.${isPrivate ? `privatelink.${location}` : `hcp.${location}`}.azmk8s.io`;
}

const invokes: Record<string, InvokeFixture> = {
    "azure-native:authorization:getClientConfig": () => ({
        clientId: "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        objectId: fakeGuid("deployer"),
        subscriptionId: FIXTURE_SUBSCRIPTION_ID,
        tenantId: FIXTURE_TENANT_ID,
    }),
    "azure-native:containerservice:listManagedClusterUserCredentials": (inputs) => {
        const name = inputs.resourceName;
        const text = inputText(inputs, "resourceName");
        const user = `clusterUser_${inputText(inputs, "resourceGroupName")}_${text}`;
        const kubeconfig = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name, cluster: { server: `https://${aksFqdn(text, FALLBACK_LOCATION)}:443`, "certificate-authority-data": fakeCertificateAuthority(text) } }],
            contexts: [{ name, context: { cluster: name, user } }],
            "current-context": name,
            users: [
                {
                    name: user,
                    user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "kubelogin", args: ["get-token", "--login", "devicecode"] } },
                },
            ],
        };
        return { kubeconfigs: [{ name: "clusterUser", value: Buffer.from(stringifyYaml(kubeconfig)).toString("base64") }] };
    },
};

const computedOutputs: Record<string, ComputedOutputsFixture> = {
    "azure-native:containerservice:ManagedCluster": (name, inputs) => {
        const location = inputText(inputs, "location", FALLBACK_LOCATION);
        const clusterName = inputText(inputs, "resourceName", name);
        return {
            name: clusterName,
            fqdn: aksFqdn(clusterName, location),
            privateFQDN: aksFqdn(clusterName, location, true),
            currentKubernetesVersion: `${inputText(inputs, "kubernetesVersion", "1.35")}.3`,
            oidcIssuerProfile: { enabled: true, issuerURL: `https://${location}.oic.prod-aks.azure.com/${FIXTURE_TENANT_ID}/${fakeGuid(clusterName)}/` },
            provisioningState: "Succeeded",
        };
    },
    "azure-native:managedidentity:UserAssignedIdentity": (name) => ({
        principalId: fakeGuid(`${name}/principal`),
        clientId: fakeGuid(`${name}/client`),
        tenantId: FIXTURE_TENANT_ID,
    }),
    "azure-native:keyvault:Vault": (name, inputs) => ({
        name: inputs.vaultName ?? name,
        properties: { ...recordOrEmpty(inputs.properties), vaultUri: `https://${inputText(inputs, "vaultName", name)}.vault.azure.net/` },
    }),
    "azure-native:keyvault:Key": (name, inputs) => {
        const keyUri = `https://${inputText(inputs, "vaultName")}.vault.azure.net/keys/${inputText(inputs, "keyName", name)}`;
        return { keyUri, keyUriWithVersion: `${keyUri}/${fakeId(name, 32, "0123456789abcdef")}` };
    },
    "azure-native:resources:ResourceGroup": (name, inputs) => ({ name: inputs.resourceGroupName ?? name }),
    "azure-native:network:VirtualNetwork": (name, inputs) => ({ name: inputs.virtualNetworkName ?? name }),
};

export const aksOfflineFixtures: OfflineFixtures = { invokes, computedOutputs };
