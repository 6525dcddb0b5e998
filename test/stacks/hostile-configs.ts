/**
 * Stack files a hostile or mistaken pull request could bring: each one change away from a valid
 * prod stack, with the one problem the stack model must report before any resource. Used by the
 * model's tests and by the program's (nothing registered, no credential in any message).
 */

/** A credential planted in URLs below; it must never appear in a message, output or plan. */
export const PLANTED_TOKEN = "ghp_plantedTOKEN0123456789";

/** A valid prod stack on an adopted cluster (nothing in any cloud), synced from this project. */
export function prodConfig(): Record<string, unknown> {
    return {
        "fluxpilot:environment": "prod",
        "fluxpilot:gitops": { repository: "https://github.com/fluxpilot/fluxpilot", branch: "main" },
        "fluxpilot:clusters": [{ name: "prod-edge", cloud: "existing", context: "kind-fluxpilot" }],
        "fluxpilot:apps": ["sample-app"],
    };
}

const gitops = (c: Record<string, any>) => c["fluxpilot:gitops"];

export const hostileConfigCases: ReadonlyArray<[title: string, mutate: (config: Record<string, any>) => void, expected: string]> = [
    [
        "a token in an https URL",
        (c) => (gitops(c).repository = `https://x-access-token:${PLANTED_TOKEN}@github.com/fluxpilot/fluxpilot`),
        'fluxpilot:gitops.repository: holds a user name or credential, which would be stored in plain text in Helm values, outputs, plans and the cluster (given: "https://[redacted]@github.com/fluxpilot/fluxpilot"). Fix: remove it from the URL and set auth.type basic with the password from: pulumi config set --secret fluxpilot:gitPassword <token>; rotate the credential, since it was exposed',
    ],
    [
        "a password on an ssh URL",
        (c) => Object.assign(gitops(c), { repository: `ssh://git:${PLANTED_TOKEN}@github.com/fluxpilot/fluxpilot`, auth: { type: "secretRef", secretName: "git" } }),
        'fluxpilot:gitops.repository: holds a user name or credential, which would be stored in plain text in Helm values, outputs, plans and the cluster (given: "ssh://[redacted]@github.com/fluxpilot/fluxpilot"). Fix: remove it from the URL and set auth.type basic with the password from: pulumi config set --secret fluxpilot:gitPassword <token>; rotate the credential, since it was exposed',
    ],
    [
        "a token in an https URL with a leading space",
        (c) => (gitops(c).repository = ` https://x-access-token:${PLANTED_TOKEN}@github.com/fluxpilot/fluxpilot`),
        'fluxpilot:gitops.repository: holds a user name or credential, which would be stored in plain text in Helm values, outputs, plans and the cluster (given: " https://[redacted]@github.com/fluxpilot/fluxpilot"). Fix: remove it from the URL and set auth.type basic with the password from: pulumi config set --secret fluxpilot:gitPassword <token>; rotate the credential, since it was exposed',
    ],
    [
        "a token in an scp-style address",
        (c) => (gitops(c).repository = `x-access-token:${PLANTED_TOKEN}@github.com:fluxpilot/fluxpilot`),
        'fluxpilot:gitops.repository: holds a user name or credential, which would be stored in plain text in Helm values, outputs, plans and the cluster (given: "[redacted]@github.com:fluxpilot/fluxpilot"). Fix: remove it from the URL and set auth.type basic with the password from: pulumi config set --secret fluxpilot:gitPassword <token>; rotate the credential, since it was exposed',
    ],
    [
        "a token after a scheme with one slash",
        (c) => (gitops(c).repository = `https:/x-access-token:${PLANTED_TOKEN}@github.com/fluxpilot/fluxpilot`),
        'fluxpilot:gitops.repository: holds a user name or credential, which would be stored in plain text in Helm values, outputs, plans and the cluster (given: "[redacted]@github.com/fluxpilot/fluxpilot"). Fix: remove it from the URL and set auth.type basic with the password from: pulumi config set --secret fluxpilot:gitPassword <token>; rotate the credential, since it was exposed',
    ],
    [
        "a token in a URL inside a proxy's path",
        (c) => (gitops(c).repository = `https://proxy.example.com/https://x-access-token:${PLANTED_TOKEN}@github.com/fluxpilot/fluxpilot`),
        'fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL (given: "https://proxy.example.com/https://[redacted]@github.com/fluxpilot/fluxpilot"). Fix: use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)',
    ],
    [
        "a token in the query of the URL",
        (c) => (gitops(c).repository = `https://github.com/fluxpilot/fluxpilot?access_token=${PLANTED_TOKEN}`),
        'fluxpilot:gitops.repository: is neither an https:// nor an ssh:// repository URL (given: "https://github.com/fluxpilot/fluxpilot?[redacted]"). Fix: use https://github.com/<owner>/<repo> or ssh://git@github.com/<owner>/<repo> (scp-style git@host:repo is not accepted by Flux)',
    ],
    [
        "a branch that adds a document to the chart values",
        (c) => (gitops(c).branch = "main\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding"),
        'fluxpilot:gitops.branch: is not a valid Git branch name: it holds a space, a control character (such as a newline), or one of ~ ^ : (git check-ref-format) (given: "main\\n---\\napiVersion: rbac.authorization.k8s.io/v1\\nkind: ClusterRoleBinding"). Fix: use the branch name exactly as Git shows it, e.g. main',
    ],
    [
        "a tag with two consecutive dots",
        (c) => Object.assign(gitops(c), { branch: undefined, tag: "v1..2" }),
        'fluxpilot:gitops.tag: is not a valid Git tag name: it holds two consecutive dots (git check-ref-format) (given: "v1..2"). Fix: use the tag name exactly as Git shows it, e.g. v1.2.0',
    ],
    [
        "prod pointed at the dev entry point",
        (c) => {
            gitops(c).path = "clusters/dev";
            c["fluxpilot:apps"] = [];
        },
        'fluxpilot:gitops.path: is not clusters/prod, the only entry point prod may sync (others hold weaker policies) (given: "clusters/dev"). Fix: remove path (it defaults to clusters/prod) or set it to clusters/prod',
    ],
    [
        "prod following an unreviewed branch",
        (c) => (gitops(c).branch = "feature/unreviewed"),
        'fluxpilot:gitops.branch: is not main: prod syncs only reviewed content, the main branch or a release tag (given: "feature/unreviewed"). Fix: merge the change into main and set branch: main (or remove it), or follow a tag (tag: v1.2.0)',
    ],
    [
        "prod syncing a fork",
        (c) => (gitops(c).repository = "https://github.com/mallory/fluxpilot"),
        'fluxpilot:gitops.repository: is not this project\'s repository (github.com/fluxpilot/fluxpilot, from package.json), whose content the checks reviewed (given: "https://github.com/mallory/fluxpilot"). Fix: use https://github.com/fluxpilot/fluxpilot or ssh://git@github.com/fluxpilot/fluxpilot',
    ],
    [
        "prod without Flux network policies",
        (c) => (c["fluxpilot:flux"] = { networkPolicy: false }),
        "fluxpilot:flux.networkPolicy: opens the Flux controllers to traffic from every namespace, which prod does not allow (given: false). Fix: remove networkPolicy (it defaults to true); only dev and local may turn it off",
    ],
    [
        "a Flux controller as the tenant default account",
        (c) => (c["fluxpilot:clusters"][0].flux = { tenantServiceAccount: "kustomize-controller" }),
        'fluxpilot:clusters[0].flux.tenantServiceAccount: is a Flux controller\'s service account, which would give every tenant Kustomization and HelmRelease its cluster-wide rights in prod (given: "kustomize-controller"). Fix: remove tenantServiceAccount (it defaults to default, which has no rights) or name an account bound only to tenant namespaces',
    ],
];
