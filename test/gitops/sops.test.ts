/**
 * Secrets in Git: a plain Secret is refused, a SOPS-encrypted one (the fixture, in the file
 * format `sops --encrypt` writes) is accepted where its Kustomization decrypts and refused where
 * it does not.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import * as os from "os";
import { arrayOrEmpty, recordOrEmpty } from "../../core/guards";
import { KustomizeBuilder } from "../../gitops-checks/kustomize";
import { checkObjects } from "../../gitops-checks/object-rules";
import { planFactsSource } from "../../gitops-checks/plan-facts";
import { allObjects, renderEnvironment, RenderedEnvironment, toYaml } from "../../gitops-checks/render";
import { checkSopsDecryption } from "../../gitops-checks/sops";
import { factsOf, ROOT, rendering } from "./support";

/** The sample app's encrypted setting: a component no overlay lists yet (docs/secrets.md). */
const COMPONENT = path.join("apps", "sample-app", "overlays", "dev", "upstream-token");
const FIXTURE = path.join(COMPONENT, "secret.enc.yaml");
const encrypted = () => ({ object: YAML.parse(fs.readFileSync(path.join(ROOT, FIXTURE), "utf8")), sourceFile: FIXTURE });
const plain = () => ({
    object: { apiVersion: "v1", kind: "Secret", metadata: { name: "plain", namespace: "sample-app" }, stringData: { UPSTREAM_TOKEN: "s3cr3t" } },
    sourceFile: "apps/sample-app/base/plain.yaml",
});

/** The dev render with `extra` added to the objects the Kustomization `name` applies. */
function withObjects(name: string, extra: ReturnType<typeof encrypted>[]): RenderedEnvironment {
    const dev = rendering("dev");
    return { ...dev, kustomizations: dev.kustomizations.map((k) => (k.name === name ? { ...k, objects: [...k.objects, ...extra] } : k)) };
}

describe("gitops: secrets in Git", function () {
    // The dev render plans the dev stack first, for its cluster facts.
    this.timeout(600_000);

    it("the plaintext-Secret rule catches a plain Secret and accepts the SOPS-encrypted one", () => {
        const problems = checkObjects([plain(), encrypted()]).filter((p) => p.rule === "no-plaintext-secret");
        assert.deepStrictEqual(
            problems.map((p) => p.object),
            ["Secret sample-app/plain"],
        );
    });

    it("every Kustomization of clusters/<env> decrypts, so an encrypted Secret under apps/ is accepted", () => {
        for (const env of ["dev", "staging", "prod", "local"]) {
            for (const file of ["infrastructure.yaml", "apps.yaml"]) {
                for (const doc of YAML.parseAllDocuments(fs.readFileSync(path.join(ROOT, "clusters", env, file), "utf8"))) {
                    assert.strictEqual(doc.toJS().spec.decryption?.provider, "sops", `${env}/${file} ${doc.toJS().metadata.name}`);
                }
            }
        }
        assert.deepStrictEqual(checkSopsDecryption(withObjects("sample-app", [encrypted()])), []);
    });

    it("refuses an encrypted Secret applied by a Kustomization that does not decrypt (the root one, made by the installer)", () => {
        const problems = checkSopsDecryption(withObjects("flux-system", [encrypted()]));
        assert.strictEqual(problems.length, 1);
        assert.match(problems[0].message, /is SOPS-encrypted, but Kustomization flux-system\/flux-system \(\.\/clusters\/dev\) does not decrypt: Flux would apply the ciphertext/);
        assert.strictEqual(problems[0].file, FIXTURE);
    });
    it("the sample app with its encrypted setting: an overlay that lists the component renders the Secret as ciphertext with its SOPS metadata, the Deployment reads it, and the checks accept it", () => {
        // No overlay lists the component in the repository: kustomize-controller fails the whole
        // Kustomization on a file no key of the cluster decrypts, and the committed file's key is
        // no cluster's until it is encrypted again after `pulumi up` (docs/secrets.md).
        for (const env of ["dev", "staging", "prod", "local"]) {
            const overlay = YAML.parse(fs.readFileSync(path.join(ROOT, "apps", "sample-app", "overlays", env, "kustomization.yaml"), "utf8"));
            assert.strictEqual(overlay.components, undefined, `${env} lists no component yet`);
        }
        // A copy of the repository whose dev overlay opts in, as a user does after encrypting.
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-sops-"));
        try {
            for (const dir of ["clusters", "apps", "infrastructure"]) fs.cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
            const overlay = path.join(copy, "apps", "sample-app", "overlays", "dev");
            const kustomization = YAML.parse(fs.readFileSync(path.join(overlay, "kustomization.yaml"), "utf8"));
            kustomization.components = ["upstream-token"];
            fs.writeFileSync(path.join(overlay, "kustomization.yaml"), YAML.stringify(kustomization));

            const rendered = renderEnvironment(new KustomizeBuilder(copy), "dev", { substitutionSources: [planFactsSource(factsOf("dev")[0])] });
            const app = rendered.kustomizations.find((k) => k.name === "sample-app");
            assert.ok(app);
            const secret = app.objects.find((o) => o.object.kind === "Secret" && recordOrEmpty(o.object.metadata).name === "sample-app-settings");
            assert.ok(secret, "the render shows the Secret");
            assert.strictEqual(recordOrEmpty(secret.object.metadata).namespace, "sample-app-dev");
            assert.match(String(recordOrEmpty(secret.object.stringData).UPSTREAM_TOKEN), /^ENC\[AES256_GCM,data:/);
            assert.ok(recordOrEmpty(secret.object.sops).mac, "SOPS metadata kept for kustomize-controller");
            assert.match(toYaml(app), /UPSTREAM_TOKEN: ENC\[AES256_GCM/);
            const deployment = app.objects.find((o) => o.object.kind === "Deployment");
            assert.ok(deployment);
            const podSpec = recordOrEmpty(recordOrEmpty(recordOrEmpty(deployment.object.spec).template).spec);
            const env = arrayOrEmpty(recordOrEmpty(arrayOrEmpty(podSpec.containers)[0]).env);
            assert.deepStrictEqual(
                env.find((e) => recordOrEmpty(e).name === "UPSTREAM_TOKEN"),
                { name: "UPSTREAM_TOKEN", valueFrom: { secretKeyRef: { name: "sample-app-settings", key: "UPSTREAM_TOKEN" } } },
                "the container reads the decrypted value from the Secret",
            );
            assert.deepStrictEqual(checkSopsDecryption(rendered), []);
            assert.deepStrictEqual(
                checkObjects(allObjects(rendered)).filter((p) => p.rule === "no-plaintext-secret"),
                [],
            );
        } finally {
            fs.rmSync(copy, { recursive: true, force: true });
        }
    });
});
