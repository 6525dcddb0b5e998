import * as assert from "assert";
import * as path from "path";
import { FluxpilotError } from "../../cli/fluxpilot/errors";
import { StackConfigReader, stackModelValidator } from "../../cli/fluxpilot/validate";
import { isStackConfigError, StackConfigError } from "../../core/problems";

// The stack model's own fixture checkout: clusters/<env> and apps/ that its rules look for.
const projectDir = path.join(__dirname, "..", "stacks", "fixtures", "repo");

function localConfig(): Record<string, unknown> {
    return {
        "fluxpilot:environment": "local",
        "fluxpilot:gitops": { repository: "https://github.com/acme/fluxpilot" },
        "fluxpilot:clusters": [{ name: "laptop", cloud: "existing", context: "kind-fluxpilot" }],
        "fluxpilot:apps": ["sample-app"],
    };
}

function readerOf(config: Record<string, unknown>, secretKeys: string[] = []): StackConfigReader & { reads: string[] } {
    const reads: string[] = [];
    const read = (dir: string, stack: string) => {
        reads.push(`${dir} ${stack}`);
        return { config, secretKeys };
    };
    return Object.assign(read, { reads });
}

async function rejection(promise: Promise<void>): Promise<unknown> {
    return promise.then(
        () => assert.fail("expected the stack to be rejected"),
        (error: unknown) => error,
    );
}

describe("fluxpilot stack validator", () => {
    it("accepts a valid stack, reading it from the project directory", async () => {
        const reader = readerOf(localConfig());
        await stackModelValidator(projectDir, reader).validate("local");
        assert.deepStrictEqual(reader.reads, [`${projectDir} local`]);
    });

    it("rejects invalid config with the stack model's problems", async () => {
        const config = { ...localConfig(), "fluxpilot:environment": "qa", "fluxpilot:clusters": [] };
        const error = await rejection(stackModelValidator(projectDir, readerOf(config)).validate("local"));
        assert.ok(isStackConfigError(error));
        assert.deepStrictEqual(
            error.problems.map((p) => p.key),
            ["fluxpilot:environment", "fluxpilot:clusters"],
        );
    });

    it("leaves problems inside secret values to the program, which sees them decrypted", async () => {
        // A secure value reaches the validator as a placeholder, which the model would reject.
        const secretGitops = { ...localConfig(), "fluxpilot:gitops": "[secure value, not decrypted offline]" };
        await stackModelValidator(projectDir, readerOf(secretGitops, ["fluxpilot:gitops"])).validate("local");
        const alsoBroken = { ...secretGitops, "fluxpilot:environment": "qa" };
        const error = await rejection(stackModelValidator(projectDir, readerOf(alsoBroken, ["fluxpilot:gitops"])).validate("local"));
        assert.deepStrictEqual(
            (error as StackConfigError).problems.map((p) => p.key),
            ["fluxpilot:environment"],
        );
    });

    it("turns stack file errors into FluxPilot errors", async () => {
        const fileError = Object.assign(new Error("Pulumi.dev.yaml is not valid"), {
            name: "StackFileError",
            file: "/repo/Pulumi.dev.yaml",
            problems: ['config key "region" has no namespace; write it as "fluxpilot:region"'],
        });
        const failing: StackConfigReader = () => {
            throw fileError;
        };
        const error = await rejection(stackModelValidator(projectDir, failing).validate("dev"));
        assert.ok(error instanceof FluxpilotError);
        assert.deepStrictEqual(
            [error.code, error.message, error.details],
            ["invalid-config", "/repo/Pulumi.dev.yaml is not valid.", ['config key "region" has no namespace; write it as "fluxpilot:region"']],
        );
    });
});
