/**
 * Where a directory's kustomization lives: the names kustomize looks for, in its order. Shared by
 * the builder (kustomize.ts), the build cache (build-cache.ts) and the repository checks.
 */
import * as fs from "fs";
import * as path from "path";

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** The kustomization file of `dir`, or undefined when it has none. */
export function kustomizationFile(dir: string): string | undefined {
    return KUSTOMIZATION_FILES.map((name) => path.join(dir, name)).find((file) => fs.existsSync(file));
}
