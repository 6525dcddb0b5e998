/**
 * A secret config value (`pulumi config set --secret`). It cannot be printed by accident: its
 * string, JSON and inspect forms are "[secret]". The only way out is `toOutput()`, which wraps it
 * in `pulumi.secret`, so it enters resources and state encrypted.
 */
import { inspect } from "util";
import * as pulumi from "@pulumi/pulumi";
import { redacted } from "./problems";

export class SecretText {
    readonly #value: string;

    constructor(value: string) {
        this.#value = value;
    }

    toOutput(): pulumi.Output<string> {
        return pulumi.secret(this.#value);
    }

    toString(): string {
        return redacted;
    }

    toJSON(): string {
        return redacted;
    }

    [inspect.custom](): string {
        return redacted;
    }
}
