/**
 * Renders what Flux applies for an environment: the entry point `clusters/<env>` (applied by the
 * bootstrap's root Kustomization) and every Flux Kustomization it declares whose source is this
 * repository, each built with real kustomize the way kustomize-controller builds it (generated
 * kustomization.yaml, the spec's patches, images, targetNamespace, namePrefix/nameSuffix and
 * components, then postBuild substitution and commonMetadata), in the order Flux applies them.
 * A Flux Kustomization among the objects one applies (e.g. infra-cloud-${cluster_cloud}) is
 * followed too, right after it, with the path its postBuild gave it.
 * The render command, `npm run validate` and the tests share this loader.
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { Environment } from "./environments";
import {
    applyOrder,
    checkFluxGraph,
    checkFluxPath,
    ClusterEntry,
    FluxKustomization,
    loadClusterEntry,
    nestedKustomizations,
    notRendered,
    ROOT_KUSTOMIZATION,
    BOOTSTRAP_NAMESPACE,
} from "./flux";
import { KustomizeBuilder, overlayOf, RenderedObject } from "./kustomize";
import { applyPostBuild, renderedSource, SubstitutionSource } from "./postbuild";
import { GitOpsError, GitOpsProblem } from "./problems";
import { OwnedObject } from "./hygiene";
import { describeObject } from "./yaml";

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
    /** The entry point; its kustomizations include those declared by the content (appliedBy set), once rendered. */
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

/** How deep Kustomizations declared by content are followed. */
const MAX_NESTING = 3;

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
    const problems: GitOpsProblem[] = [];
    const kustomizations: RenderedKustomization[] = [];
    const nested: FluxKustomization[] = [];
    const seen = new Set(entry.kustomizations.map((k) => `${k.namespace}/${k.name}`));
    // A Kustomization in the content is rendered right after the one that applies it, with its
    // own postBuild, and may declare further ones (at most MAX_NESTING deep).
    const render = (k: Omit<RenderedKustomization, "objects"> & { objects: RenderedObject[]; flux?: FluxKustomization }, depth: number): void => {
        let objects = k.objects;
        if (k.flux) {
            const post = applyPostBuild(k.flux.rendered.object, k.objects, sources, k.flux.rendered.sourceFile);
            problems.push(...post.problems);
            objects = post.objects;
        }
        kustomizations.push({ name: k.name, namespace: k.namespace, path: k.path, objects });
        if (depth < 0) return; // the entry point: the Kustomizations it declares are the list above
        for (const child of nestedKustomizations(objects, `${k.namespace}/${k.name}`, entry.root)) {
            const where = { file: child.rendered.sourceFile, object: describeObject(child.rendered.object) };
            const id = `${child.namespace}/${child.name}`;
            if (seen.has(id)) {
                problems.push({ ...where, message: `a Flux Kustomization with this name is declared twice (again by ${child.appliedBy ?? ""})` });
                continue;
            }
            seen.add(id);
            nested.push(child);
            if (depth >= MAX_NESTING) {
                problems.push({ ...where, message: `is nested ${depth + 1} Kustomizations deep: the render follows at most ${MAX_NESTING}; flatten the layout` });
                continue;
            }
            const pathProblems = checkFluxPath(builder, child);
            problems.push(...pathProblems);
            if (pathProblems.length > 0 || child.foreignSource) continue;
            render(
                {
                    name: child.name,
                    namespace: child.namespace,
                    path: child.path,
                    objects: builder.buildFlux(child.path, overlayOf(child.rendered.object.spec)).objects,
                    flux: child,
                },
                depth + 1,
            );
        }
    };
    built.forEach((k, index) => render(k, index === 0 ? -1 : 0));
    const followed = { ...entry, kustomizations: [...entry.kustomizations, ...nested] };
    return { clusterDir: entry.dir, entry: followed, kustomizations, problems: [...notRendered(followed), ...problems] };
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
