/**
 * Control-plane logs are collected. EKS: every control-plane log type (CKV_AWS_37). GKE: Cloud
 * Logging is on (CKV_GCP_1: loggingService not "none") and the API server's logs are among the
 * collected components. AKS: the Azure Monitor add-on is on (CKV_AZURE_4) and, because the
 * add-on alone collects nothing without a Data Collection Rule (issue 11, item 8), the stack
 * policy below asks for the rule's association and the control-plane diagnostic setting too.
 */
import * as eks from "@pulumi/aws/eks";
import * as container from "@pulumi/gcp/container";
import * as containerservice from "@pulumi/azure-native/containerservice";
import * as monitor from "@pulumi/azure-native/monitor";
import { check, forTypes, resourcePolicy, siblingsOf, stackPolicy, typeOf } from "../define";

/** The five EKS control-plane log types CKV_AWS_37 asks for. */
export const EKS_CONTROL_PLANE_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export const controlPlaneLogging = resourcePolicy({
    name: "control-plane-logging",
    description: "The cluster sends its control-plane logs to the cloud's log service.",
    severity: "medium",
    checkov: ["CKV_AWS_37", "CKV_GCP_1", "CKV_AZURE_4"],
    remediationSteps:
        "Keep the control-plane logging the cluster component turns on (EKS enabledClusterLogTypes, GKE loggingConfig, AKS omsagent add-on); do not remove log types.",
    validateResource: forTypes(
        check(eks.Cluster, ({ enabledClusterLogTypes }, _, report) => {
            const missing = EKS_CONTROL_PLANE_LOGS.filter((type) => !(enabledClusterLogTypes ?? []).includes(type));
            if (missing.length > 0) report(`enabledClusterLogTypes lacks ${missing.join(", ")}`);
        }),
        check(container.Cluster, ({ loggingService, loggingConfig }, _, report) => {
            if (loggingService === "none") report('loggingService is "none": nothing reaches Cloud Logging');
            if (loggingConfig !== undefined && !loggingConfig.enableComponents.includes("APISERVER")) {
                report("loggingConfig.enableComponents lacks APISERVER: the API server's logs are not collected");
            }
        }),
        check(containerservice.ManagedCluster, ({ addonProfiles }, _, report) => {
            const oms = addonProfiles?.["omsagent"];
            if (oms?.enabled !== true || !("logAnalyticsWorkspaceResourceID" in (oms.config ?? {}))) {
                report("addonProfiles.omsagent is not enabled with a Log Analytics workspace");
            }
        }),
    ),
});

const MANAGED_CLUSTER = typeOf(containerservice.ManagedCluster);
const DIAGNOSTIC_SETTING = typeOf(monitor.DiagnosticSetting);
const DATA_COLLECTION_RULE_ASSOCIATION = typeOf(monitor.DataCollectionRuleAssociation);
/** Control-plane categories without which an AKS audit trail has holes. */
export const AKS_REQUIRED_LOG_CATEGORIES = ["kube-apiserver", "kube-audit-admin"] as const;

export const aksLogsCollected = stackPolicy({
    name: "aks-logs-collected",
    description: "An AKS cluster's monitoring add-on has a Data Collection Rule association, and its control-plane logs have a diagnostic setting.",
    severity: "medium",
    checkov: ["CKV_AZURE_4"],
    remediationSteps:
        "Create the DataCollectionRule and DataCollectionRuleAssociation for Container Insights and a DiagnosticSetting with the kube-apiserver and kube-audit-admin categories, under the AKS cluster component.",
    validateStack: ({ resources }, report) => {
        for (const cluster of resources.filter((r) => r.type === MANAGED_CLUSTER)) {
            const siblings = siblingsOf(cluster, resources);
            if (!siblings.some((r) => r.type === DATA_COLLECTION_RULE_ASSOCIATION)) {
                report(`AKS cluster ${cluster.name} has no DataCollectionRuleAssociation: Container Insights collects nothing`, cluster.urn);
            }
            const enabled = new Set(
                siblings
                    .filter((r) => r.type === DIAGNOSTIC_SETTING)
                    .flatMap((r) => (r.asType(monitor.DiagnosticSetting)?.logs ?? []).filter((log) => log.enabled).map((log) => log.category ?? "")),
            );
            const missing = AKS_REQUIRED_LOG_CATEGORIES.filter((category) => !enabled.has(category));
            if (missing.length > 0) report(`AKS cluster ${cluster.name} has no diagnostic setting collecting ${missing.join(", ")}`, cluster.urn);
        }
    },
});
