/**
 * Every cluster kind the stack config may name in `cloud`. Adding a cloud: write one module
 * that exports a `ClusterKind` (see `existing.ts` for the smallest one) and list it here.
 */
import { ClusterKind } from "./provider";
import { aksKind } from "./aks/cluster";
import { eksKind } from "./eks/cluster";
import { existingKind } from "./existing/cluster";
import { gkeKind } from "./gke/cluster";

export const clusterKinds: readonly ClusterKind[] = [existingKind, eksKind, gkeKind, aksKind];

export function findClusterKind(cloud: string): ClusterKind | undefined {
    return clusterKinds.find((kind) => kind.cloud === cloud);
}
