/**
 * The cluster's SOPS key on Google Cloud: a key ring `<cluster>-sops` with one symmetric key
 * `sops` (rotated every 90 days), a Google service account for kustomize-controller that only
 * `PROJECT.svc.id.goog[flux-system/kustomize-controller]` may impersonate, and
 * roles/cloudkms.cryptoKeyDecrypter for that account on this key alone. The controller's
 * Kubernetes service account carries `iam.gke.io/gcp-service-account` (the Flux installer
 * applies it).
 *
 * A destroy leaves the key ring and the key in the project (retainOnDelete). Cloud KMS retires a
 * key's name for good once it is deleted, and the provider's delete only schedules every key
 * version for destruction, which would make every secret encrypted for this cluster unreadable.
 * Re-creating the cluster under the same name then needs `pulumi import` of the ring and key
 * (docs/secrets.md).
 *
 * Sources: Cloud KMS, "Delete Cloud KMS resources"
 * (https://cloud.google.com/kms/docs/delete-kms-resources: destruction vs deletion, deleted key
 * names cannot be reused); Terraform google_kms_crypto_key ("CryptoKeys cannot be deleted from
 * Google Cloud Platform. Destroying ... will remove it from state and delete all
 * CryptoKeyVersions"); Flux, "Google Cloud Platform" integration
 * (https://fluxcd.io/flux/integrations/gcp): kustomize-controller decrypts SOPS with Cloud KMS
 * through GKE Workload Identity.
 */
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp/provider";
import * as kms from "@pulumi/gcp/kms";
import { FLUX_NAMESPACE, KUSTOMIZE_CONTROLLER_SA } from "../../../core/flux";
import type { ClusterSopsKey } from "../kubernetes-cluster";
import { identityFactName } from "../workload-identity";
import { createGkeWorkloadIdentities } from "./workload-identity";

const CONTROLLER = { namespace: FLUX_NAMESPACE, serviceAccount: KUSTOMIZE_CONTROLLER_SA, permissions: [] };

/** The annotation GKE reads to let a Kubernetes service account act as a Google service account. */
export const GKE_SERVICE_ACCOUNT_ANNOTATION = "iam.gke.io/gcp-service-account";

/** Decrypt only: no encrypt, no key administration. */
export const SOPS_DECRYPTER_ROLE = "roles/cloudkms.cryptoKeyDecrypter";

/** The resource name sops' `gcp_kms` entries use. */
export function cryptoKeyName(project: string, location: string, keyRing: string, key: string): string {
    return `projects/${project}/locations/${location}/keyRings/${keyRing}/cryptoKeys/${key}`;
}

export interface GkeSopsKeyArgs {
    name: string;
    clusterName: string;
    project: string;
    region: string;
    parent: pulumi.Resource;
    provider: gcp.Provider;
    /** The APIs and the cluster (whose creation creates the workload pool). */
    dependsOn: pulumi.Resource[];
}

export function createGkeSopsKey(args: GkeSopsKeyArgs): ClusterSopsKey {
    const o = { parent: args.parent, provider: args.provider, dependsOn: args.dependsOn };
    const ring = new kms.KeyRing(`${args.name}-sops`, { name: `${args.clusterName}-sops`, project: args.project, location: args.region }, { ...o, retainOnDelete: true });
    const key = new kms.CryptoKey(
        `${args.name}-sops`,
        {
            name: "sops",
            keyRing: ring.id,
            purpose: "ENCRYPT_DECRYPT",
            // 90 days (CKV_GCP_43); old versions stay enabled, so older files still decrypt.
            rotationPeriod: "7776000s",
        },
        { ...o, retainOnDelete: true },
    );
    const email = createGkeWorkloadIdentities({
        name: args.name,
        clusterName: args.clusterName,
        project: args.project,
        identities: [CONTROLLER],
        parent: args.parent,
        provider: args.provider,
        dependsOn: args.dependsOn,
    })[identityFactName(CONTROLLER)];
    new kms.CryptoKeyIAMMember(`${args.name}-sops-decrypter`, { cryptoKeyId: key.id, role: SOPS_DECRYPTER_ROLE, member: pulumi.interpolate`serviceAccount:${email}` }, o);
    return {
        kind: "gcp_kms",
        key: pulumi.all([ring.name, key.name]).apply(([ringName, keyName]) => cryptoKeyName(args.project, args.region, ringName, keyName)),
        serviceAccountAnnotations: { [GKE_SERVICE_ACCOUNT_ANNOTATION]: email },
        podLabels: {},
    };
}
