/**
 * The one place the program reads Pulumi config: all of it, handed to the pure stack model.
 */
import * as pulumi from "@pulumi/pulumi";
import { parseStackModel, StackModel } from "./model";

/** `isConfigSecret` is exported by the runtime but not typed; it knows which keys were `secure:`. */
const isConfigSecret: (key: string) => boolean = (pulumi.runtime as any).isConfigSecret;

export function loadStackModel(): StackModel {
    const config = pulumi.runtime.allConfig();
    const secretKeys = Object.keys(config).filter((k) => isConfigSecret(k));
    return parseStackModel(pulumi.getStack(), config, { secretKeys });
}
