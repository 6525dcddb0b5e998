/**
 * The one place the program reads Pulumi config: all of it, handed to the pure stack model.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackModel, StackModel } from "./model";

export function loadStackModel(): StackModel {
    const config = pulumi.runtime.allConfig();
    // Typed by stacks/pulumi-runtime.d.ts: the runtime exports it without a declaration.
    const secretKeys = Object.keys(config).filter((k) => pulumi.runtime.isConfigSecret(k));
    return parseStackModel(pulumi.getStack(), config, { secretKeys });
}
