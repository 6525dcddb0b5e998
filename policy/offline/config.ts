/**
 * The pack config of an environment (policy/config/<env>.json), in the format
 * `pulumi preview --policy-pack-config` reads: `all` sets every policy's enforcement level, a
 * policy's own entry (a level, or an object with `enforcementLevel` and its config properties)
 * overrides it. The offline plan resolves it the way the engine does.
 */
import * as fs from "fs";
import * as path from "path";
import { EnforcementLevel } from "@pulumi/policy";
import { z } from "zod";
import { FluxPilotPolicy } from "../define";

/**
 * The pack's folder (PulumiPolicy.yaml, config/). The npm scripts run a JavaScript copy of this
 * file under out/build/policy (tools/build.js), which holds no config: map it back to the source.
 */
const BUILT_POLICY_DIR = path.join("out", "build", "policy");
const here = path.resolve(__dirname, "..");
export const POLICY_DIR = here.endsWith(path.sep + BUILT_POLICY_DIR) ? path.join(here.slice(0, -BUILT_POLICY_DIR.length), "policy") : here;

const level = z.enum(["advisory", "mandatory", "remediate", "disabled"]);
const entry = z.union([level, z.looseObject({ enforcementLevel: level.optional() })]);
const packConfigSchema = z.record(z.string(), entry);
export type PackConfig = z.infer<typeof packConfigSchema>;

/** The pack config file was missing or malformed: names the file and what to fix. */
export class PackConfigError extends Error {
    constructor(file: string, reason: string) {
        super(`policy pack config ${file}: ${reason}`);
        this.name = "PackConfigError";
    }
}

export function packConfigFile(environment: string): string {
    return path.join(POLICY_DIR, "config", `${environment}.json`);
}

export function readPackConfig(file: string, policies: readonly FluxPilotPolicy[]): PackConfig {
    let raw: unknown;
    try {
        raw = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new PackConfigError(file, `${(error as Error).message}; give a JSON file like {"all": "mandatory"}`);
    }
    const parsed = packConfigSchema.safeParse(raw);
    if (!parsed.success) {
        throw new PackConfigError(
            file,
            `${parsed.error.issues.map((i) => `${i.path.join(".") || "(top)"}: ${i.message}`).join("; ")}; levels are advisory, mandatory, remediate or disabled`,
        );
    }
    const known = new Set(["all", ...policies.map((p) => p.name)]);
    const unknown = Object.keys(parsed.data).filter((key) => !known.has(key));
    if (unknown.length > 0) throw new PackConfigError(file, `no policy is named ${unknown.join(", ")}; the pack's policies are ${[...known].slice(1).join(", ")}`);
    return parsed.data;
}

/** The level a policy runs at: its own entry, else `all`, else the policy's, else the pack's default. */
export function enforcementLevelOf(policy: FluxPilotPolicy, config: PackConfig, packDefault: EnforcementLevel): EnforcementLevel {
    const own = config[policy.name];
    const all = config["all"];
    const levelOf = (value: PackConfig[string] | undefined) => (typeof value === "string" ? value : value?.enforcementLevel);
    return levelOf(own) ?? levelOf(all) ?? policy.enforcementLevel ?? packDefault;
}

/** The policy's config properties: its schema's defaults, overridden by its entry (without the level). */
export function propertiesOf(policy: FluxPilotPolicy, config: PackConfig): Record<string, unknown> {
    const defaults = Object.fromEntries(
        Object.entries(policy.configSchema?.properties ?? {})
            .filter(([, schema]) => schema.default !== undefined)
            .map(([key, schema]) => [key, schema.default]),
    );
    const own = config[policy.name];
    if (typeof own !== "object") return defaults;
    const { enforcementLevel: _level, ...properties } = own;
    return { ...defaults, ...properties };
}
