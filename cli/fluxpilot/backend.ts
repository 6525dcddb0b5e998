/**
 * Where state lives and whether a passphrase is needed, decided from flags, the environment
 * and the stack files before anything calls Pulumi.
 */
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { FluxpilotError, passphraseMissing } from "./errors";

/** Repository-local state for trying FluxPilot out; `.pulumi-state/` is in .gitignore. */
export const LOCAL_STATE_DIR = ".pulumi-state";

export interface BackendChoice {
    /** Backend URL passed to Pulumi as PULUMI_BACKEND_URL; "" leaves it to `pulumi login`. */
    url: string;
    /** Where the choice came from, for the summary. */
    source: "--backend" | "--local-backend" | "PULUMI_BACKEND_URL" | "pulumi login";
}

export interface BackendFlags {
    backend?: string;
    localBackend: boolean;
}

/** Precedence: --backend, then --local-backend, then PULUMI_BACKEND_URL, then the CLI's own login. */
export function resolveBackend(flags: BackendFlags, env: NodeJS.ProcessEnv, projectDir: string): BackendChoice {
    if (flags.backend !== undefined) return { url: flags.backend, source: "--backend" };
    if (flags.localBackend) return { url: localBackendUrl(projectDir), source: "--local-backend" };
    const fromEnv = env.PULUMI_BACKEND_URL;
    if (fromEnv) return { url: fromEnv, source: "PULUMI_BACKEND_URL" };
    return { url: "", source: "pulumi login" };
}

export function localBackendUrl(projectDir: string): string {
    return `file://${path.join(path.resolve(projectDir), LOCAL_STATE_DIR)}`;
}

/** File backends (`file://`, `pulumi login --local`) and the cloud-storage ones share the DIY behaviour. */
export function isDiyBackend(url: string): boolean {
    return /^(file|s3|gs|azblob|postgres):\/\//.test(url);
}

/** The stack file's settings that decide how secrets are encrypted. */
export interface StackSecretsSettings {
    secretsprovider?: string;
    encryptionsalt?: string;
}

/**
 * The secrets settings of a stack file next to Pulumi.yaml; none when the file lives elsewhere
 * (`stackConfigDir`), in which case only the backend decides whether a passphrase is needed.
 */
export function readStackSecretsSettings(projectDir: string, stack: string): StackSecretsSettings {
    const file = ["yaml", "yml"].map((ext) => path.join(projectDir, `Pulumi.${stack}.${ext}`)).find((f) => fs.existsSync(f));
    if (!file) return {};
    let document: unknown;
    try {
        document = parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        throw new FluxpilotError("invalid-config", `Stack file ${file} cannot be read as YAML: ${(error as Error).message.split("\n")[0]}. Fix the file and retry.`);
    }
    const settings = (document ?? {}) as Record<string, unknown>;
    const text = (key: string) => (typeof settings[key] === "string" ? settings[key] : undefined);
    return { secretsprovider: text("secretsprovider"), encryptionsalt: text("encryptionsalt") };
}

/**
 * Whether Pulumi will ask for a passphrase for this stack: its file says so (an encryption
 * salt, or `secretsprovider: passphrase`), or it has no provider yet on a DIY backend, whose
 * default secrets provider is the passphrase one.
 */
export function needsPassphrase(settings: StackSecretsSettings, backend: BackendChoice): boolean {
    if (settings.encryptionsalt !== undefined) return true;
    if (settings.secretsprovider !== undefined) return settings.secretsprovider === "passphrase";
    return isDiyBackend(backend.url);
}

/** Throws when a passphrase is needed and the environment does not provide a usable one. */
export function checkPassphrase(stack: string, env: NodeJS.ProcessEnv): void {
    // An empty PULUMI_CONFIG_PASSPHRASE is a valid (if weak) passphrase to Pulumi, so only "unset" counts.
    if (env.PULUMI_CONFIG_PASSPHRASE !== undefined) return;
    const file = env.PULUMI_CONFIG_PASSPHRASE_FILE;
    if (!file) throw passphraseMissing(stack);
    try {
        fs.accessSync(file, fs.constants.R_OK);
    } catch {
        throw new FluxpilotError(
            "passphrase-missing",
            `PULUMI_CONFIG_PASSPHRASE_FILE is set to ${file}, which cannot be read: point it at the file holding stack "${stack}"'s passphrase.`,
        );
    }
}
