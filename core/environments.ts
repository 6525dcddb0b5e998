/**
 * What each environment defaults to when the stack file is silent. dev is small and cheap;
 * staging is shaped like prod but smaller; prod is highly available, private and protected;
 * local adopts a laptop cluster.
 */
import { EnvironmentPreset } from "../components/clusters/provider";
import { Environment } from "./rules";

export interface StackPreset extends EnvironmentPreset {
    /** How often Flux checks Git for new commits. */
    syncInterval: string;
}

export const presets: Record<Environment, StackPreset> = {
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
