/** The policy report as text: for the terminal, and as it appears in the pull request's plan comment. */
import { PolicyReport, PolicyViolation } from "./evaluate";

export function formatPolicyReport(report: PolicyReport, configFile: string): string {
    const mandatory = report.violations.filter((v) => v.level === "mandatory");
    const advisory = report.violations.filter((v) => v.level === "advisory");
    const lines = [
        `Policies (${configFile}): ${count(mandatory.length, "mandatory violation")}, ${count(advisory.length, "advisory violation")}, ${count(report.notRun.length, "check")} left for the real preview`,
    ];
    for (const v of [...mandatory, ...advisory]) lines.push(...violationLines(v));
    for (const n of report.notRun) lines.push(`  not run   ${n.policy} on ${describeUrn(n.urn)}: ${n.reason}`);
    if (mandatory.length === 0 && advisory.length === 0) lines.push("  every policy passed");
    return `${lines.join("\n")}\n`;
}

function violationLines(v: PolicyViolation): string[] {
    const ids = v.checkov.length > 0 ? ` (${v.checkov.join(", ")})` : "";
    return [`  ${v.level.toUpperCase().padEnd(9)} ${v.policy} [${v.severity}]${ids} on ${describeUrn(v.urn)}`, `    ${v.message}`, `    fix: ${v.remediation}`];
}

/** `<type> <name>` from a URN: the resource's own type (after the parent chain) and its name. */
export function describeUrn(urn: string | undefined): string {
    if (urn === undefined) return "the stack";
    const parts = urn.split("::");
    if (parts.length < 4) return urn;
    const types = parts[2].split("$");
    return `${types[types.length - 1]} ${parts.slice(3).join("::")}`;
}

function count(n: number, noun: string): string {
    return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
