/**
 * Git credentials for the sync source, per `fluxpilot:gitops.auth`:
 * - none: a public HTTPS repository, nothing to create;
 * - deployKey: an ED25519 key pair generated here, its private half in a Secret with GitHub's
 *   host keys, its public half registered read-only on the repository;
 * - secretRef: a Secret someone else created in flux-system, used by name;
 * - basic: user name and password/token (secret config) in a Secret.
 * Secret contents are built only from `pulumi.secret` values, so they are encrypted in state.
 */
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import type { GitopsConfig } from "../../core/git";
import { FLUX_NAMESPACE, GIT_CREDENTIALS_SECRET } from "../../core/flux";
import { GITHUB_KNOWN_HOSTS } from "./known-hosts";

export interface GitCredentials {
    /** Secret in flux-system that Flux reads; undefined for a public repository. */
    secretName?: string;
    /** What must exist before Flux first clones the repository. */
    ready: pulumi.Resource[];
    /** OpenSSH public key of the generated deploy key. */
    deployKeyPublic?: pulumi.Output<string>;
}

export interface CredentialArgs {
    name: string;
    parent: pulumi.Resource;
    gitops: GitopsConfig;
    /** Created lazily: only when something is registered on GitHub. */
    githubProvider: () => github.Provider;
    /** Identifies this cluster's key among the repository's deploy keys. */
    title: string;
    /** The namespace (or what creates it) the Secret goes into. */
    namespaceReady: pulumi.Resource[];
}

function credentialsSecret(args: CredentialArgs, data: pulumi.Output<Record<string, string>>): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        `${args.name}-git-credentials`,
        {
            metadata: { name: GIT_CREDENTIALS_SECRET, namespace: FLUX_NAMESPACE, labels: { "app.kubernetes.io/managed-by": "fluxpilot" } },
            type: "Opaque",
            stringData: pulumi.secret(data),
        },
        { parent: args.parent, dependsOn: args.namespaceReady },
    );
}

export function gitCredentials(args: CredentialArgs): GitCredentials {
    const auth = args.gitops.auth;
    switch (auth.type) {
        case "none":
            return { ready: [] };
        case "secretRef":
            return { secretName: auth.secretName, ready: [] };
        case "basic": {
            if (!auth.password) throw new pulumi.ResourceError("gitops auth basic without fluxpilot:gitPassword; the stack model should have rejected it", args.parent);
            const secret = credentialsSecret(args, pulumi.all({ username: auth.username, password: auth.password.toOutput() }));
            return { secretName: GIT_CREDENTIALS_SECRET, ready: [secret] };
        }
        case "deployKey": {
            const repository = args.gitops.github;
            if (!repository) throw new pulumi.ResourceError("gitops auth deployKey without github settings; the stack model should have rejected it", args.parent);
            const key = new tls.PrivateKey(`${args.name}-deploy-key`, { algorithm: "ED25519" }, { parent: args.parent });
            const secret = credentialsSecret(
                args,
                pulumi.all({
                    identity: pulumi.secret(key.privateKeyOpenssh),
                    "identity.pub": key.publicKeyOpenssh,
                    known_hosts: GITHUB_KNOWN_HOSTS,
                }),
            );
            const registration = new github.RepositoryDeployKey(
                `${args.name}-github-deploy-key`,
                // Read-only: Flux only pulls; a leaked key cannot push to the repository.
                { repository: repository.name, title: args.title, key: key.publicKeyOpenssh, readOnly: true },
                { parent: args.parent, provider: args.githubProvider() },
            );
            return { secretName: GIT_CREDENTIALS_SECRET, ready: [secret, registration], deployKeyPublic: key.publicKeyOpenssh };
        }
    }
}
