// `make codegen`: follows docs/frontend.md's quick start to the letter, so neither it nor the documented
// operations rot. In a scratch project (tools/frontend/generated/quickstart, git-ignored) it writes every
// fenced block of the doc whose info string names a file (```ts file=codegen.ts), copies schema.graphql,
// the operations of examples/operations/ and every ```graphql block of the doc into src/operations/, runs
// graphql-codegen with the doc's codegen.ts and type-checks the result and the doc's client with tsc.
// It also checks that the versions the doc tells readers to install are the ones locked here.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const here = new URL(".", import.meta.url).pathname;
const root = join(here, "..", "..");
const doc = readFileSync(join(root, "docs", "frontend.md"), "utf8");
const project = join(here, "generated", "quickstart");

// Fenced blocks, also indented ones (inside a list item): [info string, body without the indentation].
const blocks = [...doc.matchAll(/^( *)```([^\n]*)\n([\s\S]*?)^\1```$/gm)].map(([, indent, info, body]) => [
  info.trim(),
  body
    .split("\n")
    .map((line) => line.slice(indent.length))
    .join("\n"),
]);

const problems = [];
const lock = JSON.parse(readFileSync(join(here, "package-lock.json"), "utf8"));
const install = blocks.find(([info, body]) => info === "sh" && body.includes("npm install"));
if (!install) problems.push("docs/frontend.md has no ```sh block with the npm install line");
for (const [, name, version] of install?.[1].matchAll(/(@?[\w/-]+)@(\d[\w.-]*)/g) ?? []) {
  const locked = lock.packages[`node_modules/${name}`]?.version;
  if (locked !== version) problems.push(`the quick start installs ${name}@${version}, the lock has ${locked}`);
}
const files = blocks.filter(([info]) => /\bfile=/.test(info));
for (const wanted of ["codegen.ts", "tsconfig.json", "src/client.ts"]) {
  if (!files.some(([info]) => info.endsWith(`file=${wanted}`))) problems.push(`no block for ${wanted}`);
}
if (problems.length) {
  console.error(`codegen: docs/frontend.md's quick start is out of date:\n  - ${problems.join("\n  - ")}`);
  process.exit(1);
}

rmSync(project, { recursive: true, force: true });
mkdirSync(join(project, "src", "operations"), { recursive: true });
symlinkSync(join(here, "node_modules"), join(project, "node_modules"), "dir");
writeFileSync(join(project, "package.json"), JSON.stringify({ name: "ocop-client", private: true, type: "module" }));
for (const [info, body] of files) {
  const path = join(project, /\bfile=(\S+)/.exec(info)[1]);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
}
cpSync(join(root, "schema.graphql"), join(project, "schema.graphql"));
const examples = readdirSync(join(root, "examples", "operations")).filter((name) => name.endsWith(".graphql"));
for (const name of examples) {
  cpSync(join(root, "examples", "operations", name), join(project, "src", "operations", name));
}
const documented = blocks.filter(([info]) => info === "graphql");
documented.forEach(([, body], index) => {
  writeFileSync(join(project, "src", "operations", `frontend-doc-${index + 1}.graphql`), body);
});

const run = (tool, args) => execFileSync(join(here, "node_modules", ".bin", tool), args, { cwd: project, stdio: "inherit" });
run("graphql-codegen", ["--config", "codegen.ts", "--silent"]);
run("tsc", ["-p", "tsconfig.json"]);
console.log(
  `codegen: ${examples.length} example files and ${documented.length} blocks of docs/frontend.md generated ` +
    `and type-checked with the quick start's codegen.ts and client (${project})`,
);
