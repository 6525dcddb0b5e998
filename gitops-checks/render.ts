/**
 * Renders what Flux applies for an environment: the entry point `clusters/<env>` (applied by the
 * bootstrap's root Kustomization) and every Flux Kustomization it declares, each built with real
 * kustomize, in the order Flux applies them. The render command and the tests share this loader.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Environment } from "./environments";
import { applyOrder, checkFluxGraph, ClusterEntry, loadClusterEntry, ROOT_KUSTOMIZATION, BOOTSTRAP_NAMESPACE } from "./flux";
import { KustomizeBuilder, RenderedObject } from "./kustomize";
import { GitOpsError } from "./problems";
import { OwnedObject } from "./hygiene";

const HEADER_PREFIX = "# Rendered by `npm run render`";

export interface RenderedKustomization {
    /** Flux Kustomization name; `flux-system` for the entry point itself. */
    name: string;
    namespace: string;
    /** Repository-relative directory it applies. */
    path: string;
    objects: RenderedObject[];
}

export interface RenderedEnvironment {
    clusterDir: string;
    entry: ClusterEntry;
    /** The entry point first, then its Kustomizations in apply order. */
    kustomizations: RenderedKustomization[];
}

export function clusterDirFor(env: Environment): string {
    return path.posix.join("clusters", env);
}

/** Renders `clusterDir` (e.g. `clusters/prod`); throws a GitOpsError listing every problem. */
export function renderCluster(builder: KustomizeBuilder, clusterDir: string): RenderedEnvironment {
    const entry = loadClusterEntry(builder, clusterDir);
    const problems = checkFluxGraph(builder, entry);
    if (problems.length > 0) throw new GitOpsError(`cannot render ${clusterDir}`, problems);
    const kustomizations: RenderedKustomization[] = [
        { name: ROOT_KUSTOMIZATION, namespace: BOOTSTRAP_NAMESPACE, path: entry.dir, objects: entry.build.objects },
        ...applyOrder(entry.kustomizations).map((k) => ({
            name: k.name,
            namespace: k.namespace,
            path: k.path,
            objects: builder.build(k.path).objects,
        })),
    ];
    return { clusterDir: entry.dir, entry, kustomizations };
}

export function renderEnvironment(builder: KustomizeBuilder, env: Environment): RenderedEnvironment {
    return renderCluster(builder, clusterDirFor(env));
}

/** Every object the environment applies, with the Kustomization that applies it. */
export function allObjects(rendered: RenderedEnvironment): OwnedObject[] {
    return rendered.kustomizations.flatMap((k) => k.objects.map((o) => ({ ...o, owner: `${k.namespace}/${k.name}` })));
}

export function toYaml(kustomization: RenderedKustomization): string {
    const header = `${HEADER_PREFIX}: Flux Kustomization ${kustomization.namespace}/${kustomization.name} applies ./${kustomization.path}\n`;
    return header + kustomization.objects.map((o) => YAML.stringify(o.object, { lineWidth: 0 })).join("---\n");
}

/**
 * Writes one `NN-<name>.yaml` per Kustomization into `outDir` and returns the files. Files an
 * earlier render wrote there are removed first (recognised by their header, so nothing else in
 * the directory is touched), so a Kustomization removed from Git leaves no stale file behind.
 */
export function writeRendered(rendered: RenderedEnvironment, outDir: string): string[] {
    fs.mkdirSync(outDir, { recursive: true });
    for (const name of fs.readdirSync(outDir)) {
        const file = path.join(outDir, name);
        if (/\.yaml$/.test(name) && fs.statSync(file).isFile() && fs.readFileSync(file, "utf8").startsWith(HEADER_PREFIX)) {
            fs.rmSync(file);
        }
    }
    return rendered.kustomizations.map((k, index) => {
        // The prefix keeps the files in apply order when listed.
        const file = path.join(outDir, `${String(index).padStart(2, "0")}-${k.name}.yaml`);
        fs.writeFileSync(file, toYaml(k));
        return file;
    });
}
