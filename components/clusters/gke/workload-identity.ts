/**
 * Workload identities on GKE with Workload Identity Federation for GKE: per identity a Google
 * service account holding the roles the stack file lists, which only the Kubernetes service
 * account `PROJECT.svc.id.goog[namespace/serviceAccount]` may impersonate
 * (roles/iam.workloadIdentityUser on that Google account alone). The cluster has the project's
 * workload pool and its nodes the GKE metadata server (cluster.ts). The Kubernetes service
 * account is annotated `iam.gke.io/gcp-service-account: ${identity_<ns>_<sa>}` in the GitOps
 * content, from the cluster facts.
 *
 * Scope: the workload pool is the project's, so the same namespace and service account on
 * another cluster of the same project would share the identity ("identity sameness", GKE docs);
 * give each environment its own project, as the stack files do.
 *
 * Sources: GKE docs, "Authenticate to Google Cloud APIs from GKE workloads"
 * (https://cloud.google.com/kubernetes-engine/docs/how-to/workload-identity);
 * terraform-google-modules/terraform-google-kubernetes-engine, modules/workload-identity (GSA,
 * roles/iam.workloadIdentityUser for serviceAccount:PROJECT.svc.id.goog[ns/ksa], project roles).
 */
import * as pulumi from "@pulumi/pulumi";
import * as gcp from "@pulumi/gcp/provider";
import * as projects from "@pulumi/gcp/projects";
import * as serviceaccount from "@pulumi/gcp/serviceaccount";
import { identityFactName, identitySuffix, PermissionForm, WorkloadIdentityConfig } from "../workload-identity";

/** Predefined roles (`roles/...`) or the project's custom roles (`projects/<id>/roles/...`). */
export const GKE_PERMISSION_FORM: PermissionForm = {
    pattern: /^(roles|projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/roles)\/[a-zA-Z0-9_.]{3,64}$/,
    what: "an IAM role",
    example: "roles/storage.objectViewer or projects/my-project/roles/myControllerRole",
};

/** The member a Kubernetes service account is known as in the project's workload pool. */
export function workloadPoolMember(project: string, identity: WorkloadIdentityConfig): string {
    return `serviceAccount:${project}.svc.id.goog[${identity.namespace}/${identity.serviceAccount}]`;
}

export interface GkeWorkloadIdentityArgs {
    name: string;
    clusterName: string;
    project: string;
    identities: readonly WorkloadIdentityConfig[];
    parent: pulumi.Resource;
    provider: gcp.Provider;
    dependsOn: pulumi.Resource[];
}

/** Creates the Google service accounts and bindings; returns each account's e-mail by cluster fact name. */
export function createGkeWorkloadIdentities(args: GkeWorkloadIdentityArgs): Record<string, pulumi.Output<string>> {
    const o = { parent: args.parent, provider: args.provider, dependsOn: args.dependsOn };
    const facts: Record<string, pulumi.Output<string>> = {};
    for (const identity of args.identities) {
        const id = `${args.name}-wi-${identity.namespace}-${identity.serviceAccount}`;
        const account = new serviceaccount.Account(
            id,
            {
                project: args.project,
                // 6-30 characters: a stable digest of cluster, namespace and service account.
                accountId: `wi-${identitySuffix(args.clusterName, identity, 12)}`,
                displayName: `${args.clusterName} ${identity.namespace}/${identity.serviceAccount}`,
                description: `Workload Identity of ${identity.namespace}/${identity.serviceAccount} on GKE cluster ${args.clusterName}`,
            },
            o,
        );
        new serviceaccount.IAMMember(
            `${id}-user`,
            {
                serviceAccountId: account.name,
                role: "roles/iam.workloadIdentityUser",
                member: workloadPoolMember(args.project, identity),
            },
            o,
        );
        identity.permissions.forEach((role, index) => {
            new projects.IAMMember(`${id}-${index}`, { project: args.project, role, member: pulumi.interpolate`serviceAccount:${account.email}` }, o);
        });
        facts[identityFactName(identity)] = account.email;
    }
    return facts;
}
