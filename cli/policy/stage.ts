/**
 * `npm run policy:stage -- [dir]`: the policy pack as `pulumi policy publish` uploads it. A
 * published pack is unpacked and `npm install`ed on its own, far from this repository, so the
 * staged directory holds everything it imports (policy/ and the one file of core/ it uses, at
 * the same relative paths) and a package.json that declares its dependencies at this
 * repository's pinned versions. PulumiPolicy.yaml's `main` points at policy/.
 */
import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { REPOSITORY_ROOT } from "../../core/repository";
import { ExitCode } from "../shared/exit-codes";

/** What the pack imports from outside policy/: kept in step by test/policy/stage.test.ts. */
export const PACK_CORE_FILES = ["core/versions.ts"] as const;
/** The npm packages the pack's modules import. */
export const PACK_DEPENDENCIES = ["@pulumi/policy", "@pulumi/pulumi", "@pulumi/aws", "@pulumi/gcp", "@pulumi/azure-native", "yaml", "zod", "typescript", "ts-node"] as const;

const versions = z.record(z.string(), z.string()).optional();
/** The repository's package.json: where the pack's dependencies take their pinned versions. */
const projectManifest = z.looseObject({ dependencies: versions, devDependencies: versions });
/** policy/package.json: the pack's name, version (the engine requires one) and description. */
const packManifest = z.looseObject({ name: z.string(), version: z.string(), description: z.string().optional() });

export function stagePolicyPack(out: string, root = REPOSITORY_ROOT): void {
    fs.rmSync(out, { recursive: true, force: true });
    fs.mkdirSync(out, { recursive: true });
    fs.cpSync(path.join(root, "policy"), path.join(out, "policy"), {
        recursive: true,
        // The pack's own package.json is replaced by the staged one below; the offline runner stays (it is small and unused by index.ts).
        filter: (source) => path.basename(source) !== "package.json" && path.basename(source) !== "PulumiPolicy.yaml",
    });
    for (const file of PACK_CORE_FILES) {
        fs.mkdirSync(path.dirname(path.join(out, file)), { recursive: true });
        fs.copyFileSync(path.join(root, file), path.join(out, file));
    }
    const project = projectManifest.parse(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")));
    const pack = packManifest.parse(JSON.parse(fs.readFileSync(path.join(root, "policy", "package.json"), "utf8")));
    const pinned: Record<string, string> = { ...project.devDependencies, ...project.dependencies };
    const dependencies = Object.fromEntries(
        PACK_DEPENDENCIES.map((name) => {
            if (!pinned[name]) throw new Error(`the pack needs ${name}, which package.json does not pin`);
            return [name, pinned[name]];
        }),
    );
    fs.writeFileSync(
        path.join(out, "package.json"),
        `${JSON.stringify({ name: pack.name, version: pack.version, private: true, description: pack.description, dependencies }, null, 2)}\n`,
    );
    const policyYaml = fs.readFileSync(path.join(root, "policy", "PulumiPolicy.yaml"), "utf8");
    fs.writeFileSync(path.join(out, "PulumiPolicy.yaml"), `${policyYaml.trimEnd()}\nmain: policy/\n`);
}

if (require.main === module) {
    const out = path.resolve(process.argv[2] ?? path.join(REPOSITORY_ROOT, "out", "policy-pack"));
    stagePolicyPack(out);
    process.stdout.write(`policy pack staged in ${out}; publish it with: cd ${out} && npm install && pulumi policy publish <org>\n`);
    process.exitCode = ExitCode.ok;
}
