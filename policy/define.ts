/**
 * What every FluxPilot policy carries beyond the SDK's fields, and the helpers the policy modules
 * share. No module under policy/ except index.ts constructs the PolicyPack: constructing one starts
 * the analyzer's gRPC server, so the policies stay plain values that tests and the offline plan run.
 */
import * as pulumi from "@pulumi/pulumi";
import { PolicyResource, ReportViolation, ResourceValidation, ResourceValidationArgs, ResourceValidationPolicy, Severity, StackValidationPolicy } from "@pulumi/policy";

/** Metadata each policy states: why it matters, what to change, and the checkov checks it mirrors. */
interface FluxPilotMetadata {
    severity: Severity;
    remediationSteps: string;
    /** checkov ids this policy enforces (https://www.checkov.io/5.Policy%20Index/terraform.html); none where checkov has no check. */
    checkov: readonly string[];
}

export type FluxPilotResourcePolicy = ResourceValidationPolicy & FluxPilotMetadata;
export type FluxPilotStackPolicy = StackValidationPolicy & FluxPilotMetadata;
export type FluxPilotPolicy = FluxPilotResourcePolicy | FluxPilotStackPolicy;

/**
 * Fills the SDK fields that follow from the metadata: the checkov ids become tags, so
 * `pulumi policy publish` shows them in Pulumi Cloud. The enforcement level is left unset on
 * purpose: it comes from the pack's config per environment (policy/config/<env>.json).
 */
export function resourcePolicy(policy: Omit<FluxPilotResourcePolicy, "tags" | "enforcementLevel">): FluxPilotResourcePolicy {
    return { ...policy, tags: tagsOf(policy.checkov) };
}

export function stackPolicy(policy: Omit<FluxPilotStackPolicy, "tags" | "enforcementLevel">): FluxPilotStackPolicy {
    return { ...policy, tags: tagsOf(policy.checkov) };
}

function tagsOf(checkov: readonly string[]): string[] {
    return ["fluxpilot", ...checkov.map((id) => `checkov:${id}`)];
}

/** An SDK resource class: its static `__pulumiType` is the type token the engine reports. */
type ResourceClass<TResource extends pulumi.Resource, TArgs> = { new (name: string, args: TArgs, opts?: pulumi.CustomResourceOptions): TResource };

/** One check for one resource class, with the class's own typed inputs. */
export interface TypedCheck {
    /** Runs the check when the resource is of the class; false when it is not. */
    (args: ResourceValidationArgs, report: ReportViolation): boolean | Promise<boolean>;
}

export function check<TResource extends pulumi.Resource, TArgs>(
    resourceClass: ResourceClass<TResource, TArgs>,
    validate: (props: pulumi.Unwrap<NonNullable<TArgs>>, args: ResourceValidationArgs, report: ReportViolation) => void | Promise<void>,
): TypedCheck {
    return async (args, report) => {
        const props = args.asType(resourceClass);
        if (props === undefined) return false;
        await validate(props, args, report);
        return true;
    };
}

/**
 * One validation over several resource classes (the same rule for EKS, GKE and AKS): the check
 * of the matching class runs; any other resource type is reported as not applicable, once.
 */
export function forTypes(...checks: TypedCheck[]): ResourceValidation {
    return async (args, report) => {
        for (const typed of checks) {
            if (await typed(args, report)) return;
        }
        args.notApplicable(`applies to ${checks.length === 1 ? "one resource type" : `${checks.length} resource types`}, not ${args.type}`);
    };
}

/** The type token of an SDK class (its static `__pulumiType`, left out of the SDK's typings), so stack policies filter by type. */
export function typeOf(resourceClass: abstract new (...args: never[]) => pulumi.Resource): string {
    const token: unknown = Reflect.get(resourceClass, "__pulumiType");
    if (typeof token !== "string") throw new Error("not a generated Pulumi resource class: it has no __pulumiType");
    return token;
}

/** The resources of the stack that the same component created (its siblings), e.g. a cluster's firewall rules. */
export function siblingsOf(resource: PolicyResource, all: readonly PolicyResource[]): PolicyResource[] {
    const parent = resource.opts.parent ?? resource.parent?.urn;
    return parent === undefined ? [] : all.filter((r) => r !== resource && (r.opts.parent ?? r.parent?.urn) === parent);
}

/** The Kubernetes minor version ("1.35") of a version string ("1.35", "1.35.2", "1.35.2-gke.1200"). */
export function minorOf(version: string): string | undefined {
    return /^v?(\d+\.\d+)(?:\.|-|$)/.exec(version)?.[1];
}

/** The IPv4 CIDR that means "the whole internet". */
export const WHOLE_INTERNET = "0.0.0.0/0";
