/**
 * Secrets in Git: a plain Secret is refused, a SOPS-encrypted one (the fixture, in the file
 * format `sops --encrypt` writes) is accepted where its Kustomization decrypts and refused where
 * it does not.
 */
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { checkObjects } from "../../gitops-checks/object-rules";
import { RenderedEnvironment } from "../../gitops-checks/render";
import { checkSopsDecryption } from "../../gitops-checks/sops";
import { FIXTURES, ROOT, rendering } from "./support";

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
});
