/**
 * Every cluster kind the stack config may name in `cloud`. Adding a cloud: write one module
 * that exports a `ClusterKind` (see `existing.ts` for the smallest one) and list it here.
 */
import { ClusterKind } from "./contract";
import { existingKind } from "./existing";

export const clusterKinds: readonly ClusterKind[] = [existingKind];

export function findClusterKind(cloud: string): ClusterKind | undefined {
    return clusterKinds.find((kind) => kind.cloud === cloud);
}
