/**
 * The pack under Pulumi's own policy-pack runner, the program the CLI's analyzer plugin starts
 * for `pulumi preview --policy-pack policy`: @pulumi/pulumi's cmd/run-policy-pack, in the pack
 * directory, with ts-node type-checking it. The test then speaks the analyzer's gRPC protocol to
 * it as the engine does: the pack loads from the repository's node_modules, lists its policies,
 * takes its config, and reports a violation.
 */
import * as assert from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { POLICY_DIR } from "../../policy/offline/config";
import { policies, POLICY_PACK_NAME } from "../../policy/policies";

const RUNNER = path.join(require.resolve("@pulumi/pulumi/package.json"), "..", "cmd", "run-policy-pack");

/** Starts the pack and resolves with the port it prints, as the analyzer plugin reads it. */
function startPack(): Promise<{ child: ChildProcess; port: number }> {
    return new Promise((resolve, reject) => {
        // The engine address is only used for logging; nothing listens there.
        const child = spawn(process.execPath, [RUNNER, "127.0.0.1:1", "."], { cwd: POLICY_DIR, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
            stdout += chunk.toString();
            const port = /^(\d+)\n/.exec(stdout);
            if (port) resolve({ child, port: Number(port[1]) });
        });
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("exit", (code) => reject(new Error(`the policy pack exited (${code}) before serving:\n${stdout}\n${stderr}`)));
    });
}

function call<Req, Res>(method: (request: Req, callback: (error: grpc.ServiceError | null, response: Res) => void) => unknown, request: Req): Promise<Res> {
    return new Promise((resolve, reject) => method(request, (error, response) => (error ? reject(error) : resolve(response))));
}

describe("policy pack under Pulumi's policy-pack runner", function () {
    // ts-node type-checks the pack and the SDK types it uses before serving.
    this.timeout(300_000);
    let pack: { child: ChildProcess; port: number } | undefined;
    let client: AnalyzerClient;

    before(async () => {
        pack = await startPack();
        client = new AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
    });
    after(() => {
        client?.close();
        pack?.child.kill();
    });

    it("serves the pack with every policy", async () => {
        const info = await call<Empty, analyzer.AnalyzerInfo>(client.getAnalyzerInfo.bind(client), new Empty());
        assert.strictEqual(info.getName(), POLICY_PACK_NAME);
        assert.deepStrictEqual(
            info.getPoliciesList().map((p) => p.getName()),
            policies.map((p) => p.name),
        );
    });

    it("reports an EKS endpoint open to the world at the configured level", async () => {
        const configure = new analyzer.ConfigureAnalyzerRequest();
        configure
            .getPolicyconfigMap()
            .set("api-endpoint-restricted", new analyzer.PolicyConfig().setEnforcementlevel(analyzer.EnforcementLevel.ADVISORY).setProperties(Struct.fromJavaScript({})));
        await call(client.configure.bind(client), configure);

        const request = new analyzer.AnalyzeRequest()
            .setType("aws:eks/cluster:Cluster")
            .setName("dev-eks-cluster")
            .setUrn("urn:pulumi:dev::fluxpilot::fluxpilot:clusters:EksCluster$aws:eks/cluster:Cluster::dev-eks-cluster")
            .setProperties(Struct.fromJavaScript({ version: "1.35", vpcConfig: { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] } }))
            .setOptions(new analyzer.AnalyzerResourceOptions().setProtect(false));
        const response = await call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(client.analyze.bind(client), request);
        const found = response.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getMessage(), d.getEnforcementlevel()]);
        assert.deepStrictEqual(
            found.filter(([name]) => name === "api-endpoint-restricted"),
            // The SDK prefixes the policy's description to the message.
            [
                [
                    "api-endpoint-restricted",
                    `${policies.find((p) => p.name === "api-endpoint-restricted")!.description}\nthe API endpoint is public and vpcConfig.publicAccessCidrs contains 0.0.0.0/0`,
                    analyzer.EnforcementLevel.ADVISORY,
                ],
            ],
        );
    });
});
