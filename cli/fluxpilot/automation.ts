/**
 * The real `PulumiGateway`: a thin layer over the Automation API's `LocalWorkspace` on this
 * project directory, so each stack runs with its own Pulumi.<stack>.yaml. Everything that
 * needs deciding happens in the orchestration, above the gateway interface.
 */
import { LocalWorkspace, PulumiCommand } from "@pulumi/pulumi/automation";
import { SemVer } from "semver";
import { BackendChoice } from "./backend";
import { MIN_PULUMI_CLI_VERSION } from "./errors";
import { PulumiGateway } from "./gateway";

export function createAutomationGateway(projectDir: string, backend: BackendChoice): PulumiGateway {
    // Only the backend is set here; the passphrase and cloud credentials come from the environment.
    const envVars: Record<string, string> = backend.url ? { PULUMI_BACKEND_URL: backend.url } : {};
    let command: Promise<PulumiCommand> | undefined;
    // `PulumiCommand.get` runs `pulumi version` once: it is how a missing or too old CLI shows up.
    // Without `version` it only rejects CLIs older than 3.2; with it, anything older than the SDK.
    const pulumi = () => (command ??= PulumiCommand.get({ version: new SemVer(MIN_PULUMI_CLI_VERSION) }));
    return {
        async cliVersion() {
            return (await pulumi()).version?.toString() ?? "unknown";
        },
        async openStack(stackName, { create }) {
            const args = { stackName, workDir: projectDir };
            const options = { envVars, pulumiCommand: await pulumi() };
            return create ? LocalWorkspace.createOrSelectStack(args, options) : LocalWorkspace.selectStack(args, options);
        },
    };
}
