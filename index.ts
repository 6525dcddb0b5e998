/**
 * FluxPilot: load and validate this stack's config, compose its clusters and Flux, export outputs.
 * Nothing is created unless the whole config is valid (see stacks/model.ts).
 */
import { warnWithoutWaiting } from "./core/engine-log";
import { formatProblem } from "./core/problems";
import { composeStack } from "./stacks/compose";
import { loadStackModel } from "./stacks/load";

const model = loadStackModel();
for (const warning of model.warnings) warnWithoutWaiting(formatProblem(warning));
const stack = composeStack(model);

export const environment = model.environment;
/** Per cluster: name, cloud, region, endpoint, Kubernetes version, kubeconfig (secret), Git path, and Flux (version, sync URL, ref, path, webhook URL). */
export const clusters = stack.outputs;
/**
 * Per cluster with a SOPS key: its kind and identifier (core/sops.ts). Apart from `clusters`, which
 * is secret as a whole because it holds the kubeconfigs; `fluxpilot sops-config` reads this.
 */
export const sopsKeys = Object.fromEntries(Object.entries(stack.outputs).flatMap(([name, outputs]) => (outputs.sops ? [[name, outputs.sops]] : [])));
