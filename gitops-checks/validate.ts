/**
 * Every check of the Flux repository in one call, as `npm run validate` runs it before a push:
 * the sources (YAML parses, no remote base, every kustomization builds), then per environment the
 * Flux graph of `clusters/<env>`, the bootstrap contract, and the rendered objects against their
 * schemas and the workload, namespace and network rules. Problems are collected, never thrown.
 */
import { checkEntryContract, checkFluxObjects } from "./flux";
import { checkNoLatestTag, checkUniqueNames } from "./hygiene";
import { KustomizeBuilder } from "./kustomize";
import { checkNamespacesExist } from "./namespaces";
import { checkDnsEgress } from "./network";
import { GitOpsError, GitOpsProblem } from "./problems";
import { allObjects, renderCluster } from "./render";
import { checkNoRemoteBases, checkYamlParses, findKustomizationDirs } from "./repository";
import { validateObjects } from "./schemas";
import { checkWorkloads } from "./workload-rules";

export interface ValidationReport {
    /** What was checked: "sources", or `clusters/<env>`. */
    scope: string;
    problems: GitOpsProblem[];
}

/** The repository-wide checks, over the folders Flux reads. */
export function validateSources(builder: KustomizeBuilder): ValidationReport {
    const problems = [...checkYamlParses(builder.root), ...checkNoRemoteBases(builder.root)];
    for (const dir of findKustomizationDirs(builder.root)) problems.push(...builder.tryBuild(dir).problems);
    return { scope: "sources", problems };
}

/** The checks of one entry point, e.g. `clusters/prod`, over what Flux applies from it. */
export async function validateCluster(builder: KustomizeBuilder, clusterDir: string): Promise<ValidationReport> {
    let rendered;
    try {
        rendered = renderCluster(builder, clusterDir);
    } catch (error) {
        if (error instanceof GitOpsError) return { scope: clusterDir, problems: [...error.problems] };
        throw error;
    }
    const objects = allObjects(rendered);
    return {
        scope: clusterDir,
        problems: [
            ...checkEntryContract(rendered.entry),
            ...checkNamespacesExist(rendered),
            ...checkFluxObjects(objects),
            ...checkUniqueNames(objects),
            ...checkNoLatestTag(objects),
            ...(await validateObjects(objects)),
            ...checkWorkloads(objects),
            ...checkDnsEgress(objects),
        ],
    };
}
