// Fails when the committed build (src/intelgraph/web/app) or the committed persisted-query
// manifest differs from a fresh build of this source with this lockfile.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, statSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createHash } from "node:crypto";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const committed = join(root, "..", "src", "intelgraph", "web", "app");
const manifest = join(root, "..", "src", "intelgraph", "web", "persisted-documents.json");
const generated = join(root, "src", "graphql", "documents.generated.ts");

function digests(folder) {
  const out = new Map();
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(folder, path), createHash("sha256").update(readFileSync(path)).digest("hex"));
    }
  };
  walk(folder);
  return out;
}

const before = { manifest: readFileSync(manifest, "utf8"), generated: readFileSync(generated, "utf8") };
const fresh = mkdtempSync(join(tmpdir(), "ig-web-"));
try {
  execFileSync("node", ["scripts/persisted.mjs"], { cwd: root, stdio: "inherit" });
  const problems = [];
  if (readFileSync(manifest, "utf8") !== before.manifest) problems.push("src/intelgraph/web/persisted-documents.json is stale");
  if (readFileSync(generated, "utf8") !== before.generated) problems.push("frontend/src/graphql/documents.generated.ts is stale");
  execFileSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: root, stdio: "inherit", env: { ...process.env, IG_WEB_OUT: fresh } });
  const want = digests(fresh);
  const have = digests(committed);
  for (const [file, digest] of want) {
    if (!have.has(file)) problems.push(`missing from the committed build: ${file}`);
    else if (have.get(file) !== digest) problems.push(`differs from a fresh build: ${file}`);
  }
  for (const file of have.keys()) if (!want.has(file)) problems.push(`not produced by a fresh build: ${file}`);
  if (problems.length) {
    console.error("The committed web UI does not match its source:\n  " + problems.join("\n  "));
    console.error("Run `make web` and commit src/intelgraph/web/.");
    process.exit(1);
  }
  console.log(`committed web build matches a fresh build (${want.size} files)`);
} finally {
  rmSync(fresh, { recursive: true, force: true });
}
