/**
 * The environments a stack can build, and what each defaults to when the stack file is silent.
 * dev is small and cheap; staging is shaped like prod but smaller; prod is highly available,
 * private and protected; local adopts a laptop cluster.
 */

export const environments = ["dev", "staging", "prod", "local"] as const;
export type Environment = (typeof environments)[number];

export function isEnvironment(value: unknown): value is Environment {
    return (environments as readonly unknown[]).includes(value);
}

/** The defaults of one environment; cluster providers turn them into cloud specifics. */
export interface EnvironmentPreset {
    environment: Environment;
    /** Pool size when the stack does not list pools. */
    nodes: { min: number; max: number };
    /** true: the API endpoint must not be open to 0.0.0.0/0 and defaults to private. */
    restrictEndpoint: boolean;
    /** Protect clusters against `pulumi destroy` and replacement. */
    protect: boolean;
    /** Spread nodes over zones (three where the region has them). */
    highlyAvailable: boolean;
    /** How often Flux checks Git for new commits. */
    syncInterval: string;
}

export const presets: Record<Environment, EnvironmentPreset> = {
    dev: {
        environment: "dev",
        nodes: { min: 1, max: 3 },
        restrictEndpoint: false,
        protect: false,
        highlyAvailable: false,
        syncInterval: "1m",
    },
    staging: {
        environment: "staging",
        nodes: { min: 2, max: 5 },
        restrictEndpoint: true,
        protect: false,
        highlyAvailable: true,
        syncInterval: "5m",
    },
    prod: {
        environment: "prod",
        nodes: { min: 3, max: 10 },
        restrictEndpoint: true,
        protect: true,
        highlyAvailable: true,
        syncInterval: "5m",
    },
    local: {
        environment: "local",
        nodes: { min: 1, max: 1 },
        restrictEndpoint: false,
        protect: false,
        highlyAvailable: false,
        syncInterval: "1m",
    },
};
