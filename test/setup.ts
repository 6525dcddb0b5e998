/**
 * Root setup, loaded by mocha (see .mocharc.json) before any test file and so before any
 * program module: installs Pulumi's mock runtime, with registration capture, for the test stack.
 * Tests that need stack config set it with `setStackConfig` before loading `stacks/`.
 */
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { KUSTOMIZE_CACHE_ENV } from "../gitops-checks/build-cache";
import { installOfflineRuntime } from "../mock-runtime/runtime";
import { PLANS_ENV } from "./support/repo-plans";

// The existing-cluster provider reads the default kubeconfig ($KUBECONFIG, else ~/.kube/config); point
// it at a file that does not exist, so no test depends on the kubeconfig of the machine it runs on.
// Plans run as child processes inherit it.
process.env.KUBECONFIG = path.join(os.tmpdir(), "fluxpilot-tests-no-kubeconfig", "config");

const installed = installOfflineRuntime({ project: "fluxpilot", stack: "test", preview: false });

/** Mocha's root hook: a runtime that could not be installed fails the run, with the SDK's error, before the first test. */
export const mochaHooks = { beforeAll: (): Promise<void> => installed };

/**
 * Mocha's global fixtures (in the main process, before the parallel workers start, which inherit
 * the environment): one folder per run, made the run's TMPDIR, so that every temporary folder a
 * test or a command line it starts makes goes there and is removed with it at the end. In it: the
 * shared plans of the repository's stacks (test/support/repo-plans.ts) and the kustomize builds of
 * every tree the tests build (gitops-checks/build-cache.ts). A run never reads another run's.
 */
let runFolder: string | undefined;

export function mochaGlobalSetup(): void {
    runFolder = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-test-run-"));
    process.env.TMPDIR = runFolder;
    process.env[PLANS_ENV] = fs.mkdtempSync(path.join(runFolder, "plans-"));
    process.env[KUSTOMIZE_CACHE_ENV] = fs.mkdtempSync(path.join(runFolder, "kustomize-"));
}

export function mochaGlobalTeardown(): void {
    if (runFolder) fs.rmSync(runFolder, { recursive: true, force: true });
}
