/**
 * Kubernetes Secrets are envelope-encrypted in etcd with a key the program manages: EKS
 * `encryptionConfig` (CKV_AWS_58), GKE application-layer secrets encryption (`databaseEncryption`,
 * https://cloud.google.com/kubernetes-engine/docs/how-to/encrypting-secrets) and AKS KMS etcd
 * encryption (`securityProfile.azureKeyVaultKms`, https://learn.microsoft.com/azure/aks/use-kms-etcd-encryption).
 * checkov has no check for the GKE and AKS settings.
 */
import * as eks from "@pulumi/aws/eks";
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import { check, forTypes, resourcePolicy } from "../define";

export const secretsEncrypted = resourcePolicy({
    name: "secrets-encrypted-with-kms",
    description: "Kubernetes Secrets are encrypted in etcd with a customer-managed KMS key.",
    severity: "high",
    checkov: ["CKV_AWS_58"],
    remediationSteps:
        "Keep the KMS key the cluster component creates for Secrets (EKS encryptionConfig, GKE databaseEncryption, AKS securityProfile.azureKeyVaultKms); do not remove it.",
    validateResource: forTypes(
        check(eks.Cluster, ({ encryptionConfig }, _, report) => {
            // The key ARN is unknown until the key exists: ask only that a key is named.
            if (encryptionConfig === undefined || !encryptionConfig.resources.includes("secrets") || !("keyArn" in encryptionConfig.provider)) {
                report("encryptionConfig does not encrypt `secrets` with a KMS key");
            }
        }),
        check(container.Cluster, ({ databaseEncryption }, _, report) => {
            if (databaseEncryption?.state !== "ENCRYPTED" || !("keyName" in databaseEncryption)) {
                report(`databaseEncryption.state is ${JSON.stringify(databaseEncryption?.state ?? "unset")}, not "ENCRYPTED" with a Cloud KMS keyName`);
            }
        }),
        check(containerservice.ManagedCluster, ({ securityProfile }, _, report) => {
            const kms = securityProfile?.azureKeyVaultKms;
            if (kms?.enabled !== true || !("keyId" in kms)) {
                report("securityProfile.azureKeyVaultKms is not enabled with a Key Vault key");
            }
        }),
    ),
});
