/**
 * Every cluster kind the stack config may name in `cloud`. Adding a cloud: write one module
 * that exports a `ClusterKind` (see `existing.ts` for the smallest one) and list it here.
 */
import { ClusterKind } from "./contract";
import { aksKind } from "./aks";
import { eksKind } from "./eks";
import { existingKind } from "./existing";
import { gkeKind } from "./gke";

export const clusterKinds: readonly ClusterKind[] = [existingKind, eksKind, gkeKind, aksKind];

export function findClusterKind(cloud: string): ClusterKind | undefined {
    return clusterKinds.find((kind) => kind.cloud === cloud);
}
