/**
 * Prod-like stacks of any size for the scale series of `npm run bench`: a throwaway project whose
 * Pulumi.yaml runs this checkout's program, with a prod stack that repeats the three clusters of
 * Pulumi.prod.yaml (EKS, GKE, AKS in turn) under numbered names.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { REPOSITORY_ROOT } from "../../core/repository";

/** Writes the project and returns its directory; plan it as stack "prod" with --project-dir. */
export function writeScaleProject(clusters: number, root: string = REPOSITORY_ROOT): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fluxpilot-scale-${clusters}-`));
    const project: unknown = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.yaml"), "utf8"));
    if (!isRecord(project)) throw new Error("Pulumi.yaml is not a mapping");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify({ ...project, main: path.join(root, "index.ts") }));

    const stack: unknown = YAML.parse(fs.readFileSync(path.join(root, "Pulumi.prod.yaml"), "utf8"));
    const config = isRecord(stack) ? stack.config : undefined;
    const templates = isRecord(config) ? config["fluxpilot:clusters"] : undefined;
    if (!isRecord(config) || !Array.isArray(templates) || templates.length === 0) throw new Error("Pulumi.prod.yaml declares no fluxpilot:clusters");
    const generated = Array.from({ length: clusters }, (_, i) => {
        const template: unknown = templates[i % templates.length];
        if (!isRecord(template) || typeof template.name !== "string") throw new Error(`cluster ${i % templates.length} of Pulumi.prod.yaml has no name`);
        return { ...template, name: `${template.name}-${String(i).padStart(3, "0")}` };
    });
    fs.writeFileSync(path.join(dir, "Pulumi.prod.yaml"), YAML.stringify({ config: { ...config, "fluxpilot:clusters": generated } }));
    return dir;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}
