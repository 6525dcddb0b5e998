/**
 * Runs the pack's policies over an offline plan, without the Pulumi CLI: builds the
 * ResourceValidationArgs and StackValidationArgs the engine would (type, props, urn, name, opts,
 * provider, parent, dependencies, isType/asType, getConfig, notApplicable) from the resources
 * the mock runtime recorded, and collects what each policy reports at its configured level.
 */
import { EnforcementLevel, PolicyProviderResource, PolicyResource, PolicyResourceOptions, ResourceValidationArgs, Severity } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { ResolvedResource } from "@pulumi/pulumi/queryable";
import { FluxPilotPolicy } from "../define";
import { enforcementLevelOf, PackConfig, propertiesOf } from "./config";
import { guardUnknowns, plainInputs, UnknownDuringPreview } from "./values";

/** One registration as the offline runtime records it (mock-runtime's RegisteredResource fits). */
export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent, "" at the stack root. */
    parent: string;
    /** Provider reference `<urn>::<id>`, "" for the default provider. */
    provider: string;
    dependencies: readonly string[];
    protect: boolean;
    ignoreChanges?: readonly string[];
    deleteBeforeReplace?: boolean;
    inputs: Record<string, unknown>;
}

export interface PolicyViolation {
    policy: string;
    level: "advisory" | "mandatory";
    severity: Severity;
    /** The resource reported on; for stack policies the one the policy named, if any. */
    urn?: string;
    message: string;
    remediation: string;
    checkov: readonly string[];
}

/** A policy that read a value only known after the update; the engine reports these as advisory too. */
export interface PolicyNotRun {
    policy: string;
    urn?: string;
    reason: string;
}

export interface PolicyReport {
    violations: PolicyViolation[];
    notRun: PolicyNotRun[];
}

export function hasMandatoryViolations(report: PolicyReport): boolean {
    return report.violations.some((v) => v.level === "mandatory");
}

/** Thrown by notApplicable(): the policy does not apply to this resource or stack. */
class NotApplicable extends Error {}

const notApplicable = (reason?: string): never => {
    throw new NotApplicable(reason);
};

export async function evaluatePolicies(
    planned: readonly PlannedResource[],
    policies: readonly FluxPilotPolicy[],
    config: PackConfig,
    packDefault: EnforcementLevel = "mandatory",
): Promise<PolicyReport> {
    const resources = policyResources(planned);
    const report: PolicyReport = { violations: [], notRun: [] };
    for (const policy of policies) {
        const level = enforcementLevelOf(policy, config, packDefault);
        if (level === "disabled") continue;
        const getConfig = <T extends object>(): T => propertiesOf(policy, config) as T;
        const record = (urn: string | undefined) => (message: string, named?: string) =>
            report.violations.push({
                policy: policy.name,
                // As the engine does, a remediation that still violates counts as mandatory.
                level: level === "advisory" ? "advisory" : "mandatory",
                severity: policy.severity,
                urn: urn ?? named,
                message,
                remediation: policy.remediationSteps,
                checkov: policy.checkov,
            });
        const attempt = async (urn: string | undefined, run: () => void | Promise<void>) => {
            try {
                await run();
            } catch (error) {
                if (error instanceof NotApplicable) return;
                if (error instanceof UnknownDuringPreview) {
                    report.notRun.push({ policy: policy.name, urn, reason: error.message });
                    return;
                }
                throw new Error(`policy ${policy.name} failed${urn ? ` on ${urn}` : ""}: ${(error as Error).message}`, { cause: error });
            }
        };
        if ("validateStack" in policy) {
            await attempt(undefined, () => policy.validateStack({ resources, getConfig, notApplicable, stackTags: new Map() }, record(undefined)));
            continue;
        }
        const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const resource of resources) {
            const args: ResourceValidationArgs = {
                type: resource.type,
                props: resource.props,
                urn: resource.urn,
                name: resource.name,
                opts: resource.opts,
                provider: resource.provider,
                isType: (resourceClass) => resource.isType(resourceClass),
                // The engine hands back the props it holds, typed by the class (they are `any` there).
                asType: <TResource extends pulumi.Resource, TArgs>(resourceClass: { new (name: string, args: TArgs, opts?: pulumi.CustomResourceOptions): TResource }) =>
                    resource.isType(resourceClass) ? (resource.props as pulumi.Unwrap<NonNullable<TArgs>>) : undefined,
                getConfig,
                notApplicable,
                stackTags: new Map(),
            };
            for (const validate of validations) await attempt(resource.urn, () => validate(args, record(resource.urn)));
        }
    }
    return report;
}

/** The stack as policies see it: each resource linked to its parent, provider and dependencies. */
export function policyResources(planned: readonly PlannedResource[]): PolicyResource[] {
    const props = new Map(planned.map((r) => [r.urn, guardUnknowns(plainInputs(r.inputs) as Record<string, unknown>)]));
    const resources = new Map<string, PolicyResource>();
    for (const r of planned) {
        const resourceProps = props.get(r.urn) ?? {};
        const isType = (resourceClass: object) => typeTokenOf(resourceClass) === r.type;
        const resource: PolicyResource = {
            type: r.type,
            props: resourceProps,
            urn: r.urn,
            name: r.name,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType,
            // The engine hands back the props it holds, typed by the class (they are `any` there).
            asType: <TResource extends pulumi.Resource>(resourceClass: object) => (isType(resourceClass) ? (resourceProps as unknown as ResolvedResource<TResource>) : undefined),
        };
        const provider = providerOf(r, planned, props);
        if (provider) resource.provider = provider;
        resources.set(r.urn, resource);
    }
    for (const r of planned) {
        const resource = resources.get(r.urn)!;
        const parent = r.parent === "" ? undefined : resources.get(r.parent);
        if (parent) resource.parent = parent;
        resource.dependencies = r.dependencies.flatMap((urn) => resources.get(urn) ?? []);
    }
    return [...resources.values()];
}

function optionsOf(r: PlannedResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: r.protect,
        ignoreChanges: [...(r.ignoreChanges ?? [])],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.deleteBeforeReplace !== undefined) opts.deleteBeforeReplace = r.deleteBeforeReplace;
    if (r.parent !== "") opts.parent = r.parent;
    return opts;
}

function providerOf(r: PlannedResource, planned: readonly PlannedResource[], props: Map<string, Record<string, unknown>>): PolicyProviderResource | undefined {
    if (r.provider === "") return undefined;
    const separator = r.provider.lastIndexOf("::");
    const urn = separator > 0 ? r.provider.slice(0, separator) : r.provider;
    const provider = planned.find((p) => p.urn === urn);
    return provider === undefined ? undefined : { type: provider.type, name: provider.name, urn, props: props.get(urn) ?? {} };
}

/** The type token of an SDK class, as @pulumi/policy's isType compares it. */
function typeTokenOf(resourceClass: object): string | undefined {
    const token: unknown = Reflect.get(resourceClass, "__pulumiType");
    return typeof token === "string" ? token : undefined;
}
