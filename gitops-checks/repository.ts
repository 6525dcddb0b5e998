/**
 * The GitOps tree on disk: which folders hold Kubernetes configuration, which of them are
 * kustomizations, and source-level checks (YAML that parses, no remote bases).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { kustomizationFile } from "./kustomization-file";
import { GitOpsProblem } from "./problems";
import { parseYamlFile } from "./yaml";
import { arrayOrEmpty, recordOrEmpty } from "../core/guards";

/** Top-level folders whose content reaches a cluster through Flux. */
export const GITOPS_FOLDERS = ["apps", "clusters", "infrastructure"] as const;

function walk(dir: string, visit: (file: string, isDir: boolean) => void): void {
    if (!fs.existsSync(dir)) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        visit(full, entry.isDirectory());
        if (entry.isDirectory()) walk(full, visit);
    }
}

/** Repository-relative directories holding a kustomization file, under the given folders. */
export function findKustomizationDirs(root: string, folders: readonly string[] = GITOPS_FOLDERS): string[] {
    const dirs: string[] = [];
    for (const folder of folders) {
        const top = path.join(root, folder);
        if (kustomizationFile(top)) dirs.push(folder);
        walk(top, (file, isDir) => {
            if (isDir && kustomizationFile(file)) dirs.push(path.relative(root, file));
        });
    }
    return dirs;
}

/** Repository-relative YAML files under the given folders. */
export function findYamlFiles(root: string, folders: readonly string[] = GITOPS_FOLDERS): string[] {
    const files: string[] = [];
    for (const folder of folders) {
        walk(path.join(root, folder), (file, isDir) => {
            if (!isDir && /\.ya?ml$/.test(file)) files.push(path.relative(root, file));
        });
    }
    return files;
}

/** Every YAML file under the folders parses; problems carry file, line and column. */
export function checkYamlParses(root: string, folders: readonly string[] = GITOPS_FOLDERS): GitOpsProblem[] {
    return findYamlFiles(root, folders).flatMap((file) => parseYamlFile(path.join(root, file), root).problems);
}

// A kustomize remote target: a URL, an scp-like git address or a `?ref=` pin.
const REMOTE = /^(https?:\/\/|ssh:\/\/|git@|git::|github\.com\/|gitlab\.com\/|bitbucket\.org\/)|\?ref=|\/\/.*\.git\b/;

/**
 * No kustomization refers to a remote base or remote resource: staging and prod run Flux with
 * `--no-remote-bases=true`, which fails such a build on the cluster.
 */
export function checkNoRemoteBases(root: string, folders: readonly string[] = GITOPS_FOLDERS): GitOpsProblem[] {
    const problems: GitOpsProblem[] = [];
    for (const dir of findKustomizationDirs(root, folders)) {
        const file = kustomizationFile(path.join(root, dir))!;
        const relative = path.relative(root, file);
        let content: unknown;
        try {
            content = YAML.parse(fs.readFileSync(file, "utf8"));
        } catch {
            continue; // reported by checkYamlParses with its line
        }
        for (const field of ["resources", "bases", "components"]) {
            for (const entry of arrayOrEmpty(recordOrEmpty(content)[field])) {
                if (typeof entry === "string" && REMOTE.test(entry)) {
                    problems.push({
                        file: relative,
                        message: `${field} entry "${entry}" is a remote base; Flux runs with --no-remote-bases=true. Vendor it into this repository and refer to it by relative path`,
                    });
                }
            }
        }
    }
    return problems;
}
