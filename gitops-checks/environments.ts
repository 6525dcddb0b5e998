/** The environments that have a `clusters/<env>` entry point, as the Flux bootstrap knows them. */
export const ENVIRONMENTS = ["dev", "staging", "prod", "local"] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(value: string): value is Environment {
    return (ENVIRONMENTS as readonly string[]).includes(value);
}

export function assertEnvironment(value: string | undefined): Environment {
    if (value !== undefined && isEnvironment(value)) return value;
    const given = value === undefined ? "no environment" : `"${value}"`;
    throw new Error(`unknown environment: ${given}. Use one of: ${ENVIRONMENTS.join(", ")} (the folders under clusters/).`);
}
