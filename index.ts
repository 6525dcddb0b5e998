/**
 * FluxPilot: load and validate this stack's config, compose its clusters and Flux, export outputs.
 * Nothing is created unless the whole config is valid (see stacks/model.ts).
 *
 * The config is read and checked when the module loads, so a bad stack file fails before Pulumi
 * runs anything. The rest is the exported function, which Pulumi runs and awaits, taking what it
 * returns as the stack outputs (https://www.pulumi.com/docs/iac/languages-sdks/javascript/#entrypoint;
 * @pulumi/pulumi `cmd/run/run.js`): in a preview it composes the clusters in turns, which keeps the
 * memory of a large stack bounded (stacks/compose.ts).
 */
import * as pulumi from "@pulumi/pulumi";
import { warnWithoutWaiting } from "./core/engine-log";
import { formatProblem } from "./core/problems";
import { ClusterOutputs, ComposedStack, composeStack, composeStackInTurns } from "./stacks/compose";
import { loadStackModel } from "./stacks/load";

const model = loadStackModel();
for (const warning of model.warnings) warnWithoutWaiting(formatProblem(warning));

/** The stack outputs. */
interface FluxPilotOutputs {
    environment: string;
    /** Per cluster: name, cloud, region, endpoint, Kubernetes version, kubeconfig (secret), Git path, and Flux (version, sync URL, ref, path, webhook URL). */
    clusters: Record<string, ClusterOutputs>;
    /**
     * Per cluster with a SOPS key: its kind and identifier (core/sops.ts). Apart from `clusters`, which
     * is secret as a whole because it holds the kubeconfigs; `fluxpilot sops-config` reads this.
     */
    sopsKeys: Record<string, NonNullable<ClusterOutputs["sops"]>>;
}

async function run(): Promise<FluxPilotOutputs> {
    const stack: ComposedStack = pulumi.runtime.isDryRun() ? await composeStackInTurns(model) : composeStack(model);
    return {
        environment: model.environment,
        clusters: stack.outputs,
        sopsKeys: Object.fromEntries(Object.entries(stack.outputs).flatMap(([name, outputs]) => (outputs.sops ? [[name, outputs.sops]] : []))),
    };
}

export = run;
