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
import { recordOrEmpty } from "../../core/guards";
import { KustomizeBuilder } from "../../gitops-checks/kustomize";
import { checkObjects } from "../../gitops-checks/object-rules";
import { planFactsSource } from "../../gitops-checks/plan-facts";
import { allObjects, renderEnvironment, RenderedEnvironment, toYaml } from "../../gitops-checks/render";
import { checkSopsDecryption } from "../../gitops-checks/sops";
import { factsOf, FIXTURES, ROOT, rendering } from "./support";

const FIXTURE = path.join(FIXTURES, "sops", "sample-app-settings.enc.yaml");
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
    it("the sample app with its encrypted setting: the dev overlay renders the Secret as ciphertext with its SOPS metadata, and the checks accept it", () => {
        // A copy of the repository whose dev overlay lists the fixture. Not committed to apps/:
        // kustomize-controller fails the whole Kustomization on a file no key of the cluster
        // decrypts, and the fixture's key is no cluster's (docs/secrets.md).
        const copy = fs.mkdtempSync(path.join(os.tmpdir(), "fluxpilot-sops-"));
        try {
            for (const dir of ["clusters", "apps", "infrastructure"]) fs.cpSync(path.join(ROOT, dir), path.join(copy, dir), { recursive: true });
            const overlay = path.join(copy, "apps", "sample-app", "overlays", "dev");
            fs.copyFileSync(path.join(ROOT, FIXTURE), path.join(overlay, "settings.enc.yaml"));
            const kustomization = YAML.parse(fs.readFileSync(path.join(overlay, "kustomization.yaml"), "utf8"));
            kustomization.resources.push("settings.enc.yaml");
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
