/**
 * Every check of a Flux repository in one call, as `npm run validate` runs it before a push: the
 * sources (YAML parses, every kustomization builds), then per environment the Flux graph of
 * `clusters/<env>`, and the rendered objects against their schemas and the workload, object,
 * namespace and network rules. Rule sets the repository turns on in flux-checks.yaml add theirs.
 * Problems are collected, never thrown.
 */
import * as fs from "fs";
import * as path from "path";
import { ChecksConfig, DEFAULT_CONFIG } from "./config";
import { checkEntryContract, checkFluxObjects, checkFluxPilotObjects } from "./flux";
import { checkNoLatestTag, checkUniqueNames } from "./hygiene";
import * as YAML from "yaml";
import { KustomizeBuilder } from "./kustomize";
import { kustomizationFile } from "./kustomization-file";
import { checkNamespacesExist } from "./namespaces";
import { checkDnsEgress } from "./network";
import { checkObjects } from "./object-rules";
import { factsNotes, PlannedClusterFacts, planFactsSource } from "./plan-facts";
import { explicitSource } from "./postbuild";
import { GitOpsError, GitOpsProblem } from "./problems";
import { allObjects, renderCluster } from "./render";
import { checkNoRemoteBases, checkYamlParses, findKustomizationDirs } from "./repository";
import { validateObjects } from "./schemas";
import { checkSopsDecryption } from "./sops";
import { checkWorkloads } from "./workload-rules";
import { recordOrEmpty } from "../core/guards";

export interface ValidationReport {
    /** What was checked: "sources", or `clusters/<env>`. */
    scope: string;
    problems: GitOpsProblem[];
}

/** The environments of a Flux repository: the folders under clusters/, sorted. */
export function discoverEnvironments(root: string): string[] {
    const clusters = path.join(root, "clusters");
    if (!fs.existsSync(clusters)) return [];
    return fs
        .readdirSync(clusters, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name)
        .sort();
}

export function isComponent(dir: string): boolean {
    const file = kustomizationFile(dir);
    try {
        const document: unknown = file === undefined ? undefined : YAML.parse(fs.readFileSync(file, "utf8"));
        return recordOrEmpty(document).kind === "Component";
    } catch {
        return false; // reported by checkYamlParses with its line
    }
}

/** The repository-wide checks, over the folders Flux reads. */
export function validateSources(builder: KustomizeBuilder, config: ChecksConfig = DEFAULT_CONFIG): ValidationReport {
    const problems = [...checkYamlParses(builder.root)];
    if (config.ruleSets.includes("fluxpilot")) problems.push(...checkNoRemoteBases(builder.root).map((p) => ({ ...p, rule: "fluxpilot" })));
    for (const dir of findKustomizationDirs(builder.root)) {
        // A kustomize Component only builds as part of a kustomization that lists it.
        if (isComponent(path.join(builder.root, dir))) continue;
        problems.push(...builder.tryBuild(dir).problems);
    }
    return { scope: "sources", problems };
}

/**
 * The checks of one entry point, e.g. `clusters/prod`, over what Flux applies from it; with a
 * cluster's facts from the offline plan, over what Flux applies on that cluster.
 */
export async function validateCluster(
    builder: KustomizeBuilder,
    clusterDir: string,
    config: ChecksConfig = DEFAULT_CONFIG,
    facts?: PlannedClusterFacts,
): Promise<ValidationReport> {
    const environment = path.posix.basename(clusterDir);
    const scope = facts ? `${clusterDir} (cluster ${facts.cluster}, stack ${facts.stack})` : clusterDir;
    const given = explicitSource("flux-checks.yaml substitutionValues", config.substitutionValues);
    let rendered;
    try {
        rendered = renderCluster(builder, clusterDir, { substitutionSources: facts ? [planFactsSource(facts), given] : [given] });
    } catch (error) {
        if (error instanceof GitOpsError) return { scope, problems: [...error.problems] };
        throw error;
    }
    const objects = allObjects(rendered);
    const fluxpilot = config.ruleSets.includes("fluxpilot");
    return {
        scope,
        problems: [
            ...(facts ? factsNotes(facts) : []),
            ...rendered.problems,
            ...(fluxpilot ? checkEntryContract(rendered.entry).map((p) => ({ ...p, rule: "fluxpilot" })) : []),
            ...(fluxpilot ? checkFluxPilotObjects(objects) : []),
            ...checkNamespacesExist(rendered),
            ...checkSopsDecryption(rendered),
            ...checkFluxObjects(objects),
            ...checkUniqueNames(objects),
            ...checkNoLatestTag(objects),
            ...(await validateObjects(objects)),
            ...checkWorkloads(objects),
            ...checkObjects(objects, { environment, serviceTypes: config.serviceTypes[environment], allowHostAccess: config.allowHostAccess }),
            ...checkDnsEgress(objects),
        ],
    };
}
