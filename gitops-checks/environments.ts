/** The environments that have a `clusters/<env>` entry point: the stack model's environments. */
import { Environment, environments, isEnvironment } from "../core/environments";

export { isEnvironment };
export type { Environment };
export const ENVIRONMENTS = environments;

export function assertEnvironment(value: string | undefined): Environment {
    if (value !== undefined && isEnvironment(value)) return value;
    const given = value === undefined ? "no environment" : `"${value}"`;
    throw new Error(`unknown environment: ${given}. Use one of: ${ENVIRONMENTS.join(", ")} (the folders under clusters/).`);
}
