/**
 * Root setup, loaded by mocha (see .mocharc.json) before any test file and so before any
 * program module: installs Pulumi's mock runtime, with registration capture, for the test stack.
 * Tests that need stack config set it with `setStackConfig` before loading `stacks/`.
 */
import * as os from "os";
import * as path from "path";
import { installOfflineRuntime } from "../mock-runtime/runtime";

// The existing-cluster provider reads the default kubeconfig ($KUBECONFIG, else ~/.kube/config); point
// it at a file that does not exist, so no test depends on the kubeconfig of the machine it runs on.
// Plans run as child processes inherit it.
process.env.KUBECONFIG = path.join(os.tmpdir(), "fluxpilot-tests-no-kubeconfig", "config");

const installed = installOfflineRuntime({ project: "fluxpilot", stack: "test", preview: false });

/** Mocha's root hook: a runtime that could not be installed fails the run, with the SDK's error, before the first test. */
export const mochaHooks = { beforeAll: (): Promise<void> => installed };
