/**
 * Root setup, loaded by mocha (see .mocharc.json) before any test file and so before any
 * program module: installs Pulumi's mock runtime, with registration capture, for the test stack.
 * Tests that need stack config set it with `setStackConfig` before loading `stacks/`.
 */
import { installOfflineRuntime } from "../scripts/offline/runtime";

installOfflineRuntime({ project: "fluxpilot", stack: "test", preview: false });
