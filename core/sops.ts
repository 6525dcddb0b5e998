/**
 * SOPS with a cloud KMS key per cluster: the vocabulary the program, the command line and the docs
 * share. Each managed cluster gets one key that only kustomize-controller's identity may decrypt
 * with (components/clusters/<cloud>/sops-key.ts); its identifier is the stack output `sopsKeys`
 * (and `clusters.<name>.sops`), from which `fluxpilot sops-config` writes `.sops.yaml`.
 *
 * Not a cluster fact: nothing in the cluster needs it (each encrypted file names its keys in its own
 * `sops` block), and the cloud assigns it at creation, so every preview and offline render would
 * show it as unknown.
 */

/**
 * The kinds of cloud key, named as `.sops.yaml` names their lists in a creation rule or key group
 * (getsops/sops README, "Using .sops.yaml conf to select KMS, PGP and age for new files").
 */
export const sopsKeyKinds = ["kms", "gcp_kms", "azure_keyvault"] as const;
export type SopsKeyKind = (typeof sopsKeyKinds)[number];

/** What the stack output `clusters.<name>.sops` holds. */
export interface SopsKeyOutput {
    kind: SopsKeyKind;
    /** AWS key ARN, `projects/../locations/../keyRings/../cryptoKeys/..`, or the Key Vault key URL with its version. */
    key: string;
}

/**
 * What kustomize-controller's service account and pods must carry for the cloud to hand them the
 * key's identity (nothing on EKS Pod Identity; an annotation on GKE; an annotation and a pod label
 * on AKS). Plain strings: the installer resolves the outputs first.
 */
export interface ControllerIdentityPatch {
    serviceAccountAnnotations: Record<string, string>;
    podLabels: Record<string, string>;
}
