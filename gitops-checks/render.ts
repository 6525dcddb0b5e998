/**
 * Renders what Flux applies for an environment: the entry point `clusters/<env>` (applied by the
 * bootstrap's root Kustomization) and every Flux Kustomization it declares whose source is this
 * repository, each built with real kustomize the way kustomize-controller builds it (generated
 * kustomization.yaml, the spec's patches, images, targetNamespace, namePrefix/nameSuffix and
 * components, then postBuild substitution and commonMetadata), in the order Flux applies them.
 * The render command, `npm run validate` and the tests share this loader.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Environment } from "./environments";
import { applyOrder, checkFluxGraph, ClusterEntry, loadClusterEntry, notRendered, ROOT_KUSTOMIZATION, BOOTSTRAP_NAMESPACE } from "./flux";
import { KustomizeBuilder, overlayOf, RenderedObject } from "./kustomize";
import { applyPostBuild, renderedSource, SubstitutionSource } from "./postbuild";
import { GitOpsError, GitOpsProblem } from "./problems";
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
    /** What the render found on the way: postBuild variables, and notes on what it did not render. */
    problems: GitOpsProblem[];
}

export interface RenderOptions {
    /**
     * Where postBuild.substituteFrom objects are looked up after the render's own ConfigMaps and
     * Secrets, in order (values given to the checker; later, cluster facts from the offline plan).
     */
    substitutionSources?: readonly SubstitutionSource[];
}

export function clusterDirFor(env: Environment): string {
    return path.posix.join("clusters", env);
}

/** Renders `clusterDir` (e.g. `clusters/prod`); throws a GitOpsError listing every problem. */
export function renderCluster(builder: KustomizeBuilder, clusterDir: string, options: RenderOptions = {}): RenderedEnvironment {
    const entry = loadClusterEntry(builder, clusterDir);
    const graphProblems = checkFluxGraph(builder, entry);
    if (graphProblems.length > 0) throw new GitOpsError(`cannot render ${clusterDir}`, graphProblems);
    const root = entry.root;
    const built = [
        { name: root?.name ?? ROOT_KUSTOMIZATION, namespace: root?.namespace ?? BOOTSTRAP_NAMESPACE, path: entry.dir, objects: entry.build.objects, flux: root },
        ...applyOrder(entry.kustomizations)
            .filter((k) => !k.foreignSource)
            .map((k) => ({ name: k.name, namespace: k.namespace, path: k.path, objects: builder.buildFlux(k.path, overlayOf(k.rendered.object.spec)).objects, flux: k })),
    ];
    // substituteFrom reads the cluster, where everything the environment applies will be.
    const sources = [renderedSource(built.flatMap((k) => k.objects)), ...(options.substitutionSources ?? [])];
    const problems: GitOpsProblem[] = [...notRendered(entry)];
    const kustomizations = built.map(({ flux, ...k }): RenderedKustomization => {
        if (!flux) return k;
        const post = applyPostBuild(flux.rendered.object, k.objects, sources, flux.rendered.sourceFile);
        problems.push(...post.problems);
        return { ...k, objects: post.objects };
    });
    return { clusterDir: entry.dir, entry, kustomizations, problems };
}

export function renderEnvironment(builder: KustomizeBuilder, env: Environment, options: RenderOptions = {}): RenderedEnvironment {
    return renderCluster(builder, clusterDirFor(env), options);
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
