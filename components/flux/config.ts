/**
 * Flux settings of a stack (`fluxpilot:flux`). The Flux component takes the defaulted form.
 */
import { z } from "zod";
import { ConfigProblem } from "../../stacks/errors";
import { Environment, rule } from "../../stacks/rules";

export const fluxComponents = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
] as const;

export const fluxSchema = z.strictObject({
    /** Flux distribution version or range, e.g. "2.9.x". */
    version: z.string(rule("must be a string", "quote the version, e.g. \"2.9.x\"")).min(1).optional(),
    components: z.array(z.enum(fluxComponents, rule("is not a Flux component", `use any of ${fluxComponents.join(", ")}`))).optional(),
});

export type FluxRaw = z.infer<typeof fluxSchema>;

export interface FluxConfig {
    version: string;
    components: string[];
}

export function fluxDefaults(raw: FluxRaw | undefined, _environment: Environment): FluxConfig {
    return {
        version: raw?.version ?? "2.9.x",
        components: raw?.components ?? ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"],
    };
}

export function validateFlux(_config: FluxConfig, _key: string): ConfigProblem[] {
    return [];
}
