// Breaking-change check (`make schema-check`, part of `make lint`): compares schema.graphql with the last
// released schema (the newest schema/released/schema-<version>.graphql) using graphql-inspector, and fails
// on a breaking change that is not deliberate and documented. See docs/frontend.md, "Schema changes".
//
// A breaking change passes only when the Unreleased section of CHANGELOG.md names its schema coordinate in
// backticks (`Product.stars`, `Batch.lineage.depth`, `JobStatus.QUEUED`) and, when it removes something
// the released schema had deprecated, the removal date written in the deprecation reason has come.
// Every @deprecated of the current schema must give a reason with a removal date (YYYY-MM-DD), and a
// deprecation new since the release must be named in the CHANGELOG too.
//
// Usage: node schema-check.mjs [--released FILE] [--current FILE] [--changelog FILE] [--today YYYY-MM-DD]
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildSchema, isEnumType, isInputObjectType, isInterfaceType, isObjectType } from "graphql";
import { CriticalityLevel, diff } from "@graphql-inspector/core";

const root = new URL("../../", import.meta.url).pathname;
const DATE = /\b(\d{4}-\d{2}-\d{2})\b/;

/** The newest released schema: schema/released/schema-<major>.<minor>.<patch>.graphql. */
export function latestReleased(directory = join(root, "schema", "released")) {
  const versions = readdirSync(directory)
    .map((name) => /^schema-(\d+)\.(\d+)\.(\d+)\.graphql$/.exec(name))
    .filter(Boolean)
    .sort((a, b) => a[1] - b[1] || a[2] - b[2] || a[3] - b[3]);
  if (versions.length === 0) throw new Error(`no schema-<version>.graphql in ${directory}`);
  return join(directory, versions.at(-1)[0]);
}

/** The text of CHANGELOG.md's "## Unreleased" section (up to the next "## " heading). */
export function unreleased(changelog) {
  const match = /^## Unreleased\s*$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(changelog);
  return match ? match[1] : "";
}

/** Whether the text names the coordinate inside a backtick span, as a whole token. */
export function names(text, coordinate) {
  const escaped = coordinate.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const token = new RegExp(`(?<![\\w.])${escaped}(?![\\w])`);
  return [...text.matchAll(/`([^`]+)`/g)].some((span) => token.test(span[1]));
}

/** Every deprecated element of a schema: coordinate -> deprecation reason. */
export function deprecations(schema) {
  const found = new Map();
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith("__")) continue;
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason != null) found.set(`${type.name}.${field.name}`, field.deprecationReason);
        for (const arg of field.args ?? []) {
          if (arg.deprecationReason != null) found.set(`${type.name}.${field.name}.${arg.name}`, arg.deprecationReason);
        }
      }
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) {
        if (value.deprecationReason != null) found.set(`${type.name}.${value.name}`, value.deprecationReason);
      }
    }
  }
  return found;
}

/** Checks the current schema against the released one; answers {problems, notes}. */
export async function check({ releasedSdl, currentSdl, changelog, today }) {
  const released = buildSchema(releasedSdl);
  const current = buildSchema(currentSdl);
  const documented = unreleased(changelog);
  const wasDeprecated = deprecations(released);
  const isDeprecated = deprecations(current);
  const problems = [];
  const notes = [];

  for (const [coordinate, reason] of isDeprecated) {
    if (!DATE.test(reason)) {
      problems.push(`${coordinate} is deprecated without a removal date (YYYY-MM-DD) in its reason: "${reason}"`);
    }
    if (!wasDeprecated.has(coordinate) && !names(documented, coordinate)) {
      problems.push(`${coordinate} is newly deprecated but the Unreleased section of CHANGELOG.md does not name \`${coordinate}\``);
    }
  }

  for (const change of await diff(released, current)) {
    const what = change.message.endsWith(".") ? change.message : `${change.message}.`;
    const coordinate = change.path ?? "";
    const level = change.criticality.level;
    if (level === CriticalityLevel.NonBreaking) continue;
    if (level === CriticalityLevel.Dangerous) {
      notes.push(`dangerous: ${what}`);
      continue;
    }
    const listed = coordinate !== "" && names(documented, coordinate);
    const reason = wasDeprecated.get(coordinate);
    if (reason !== undefined) {
      const removal = DATE.exec(reason)?.[1];
      if (!removal) {
        problems.push(`${what} It was deprecated without a removal date ("${reason}").`);
      } else if (removal > today) {
        problems.push(`${what} It is deprecated until ${removal}: keep it until then.`);
      } else if (!listed) {
        problems.push(`${what} Name \`${coordinate}\` in the Unreleased section of CHANGELOG.md.`);
      } else {
        notes.push(`removal of deprecated ${coordinate} (due ${removal}), listed in CHANGELOG.md`);
      }
    } else if (listed) {
      notes.push(`breaking, listed in CHANGELOG.md: ${what}`);
    } else {
      problems.push(
        `${what} This breaks clients: deprecate instead (@deprecated with a reason and a removal ` +
          `date), or, if it is deliberate, name \`${coordinate}\` in the Unreleased section of CHANGELOG.md.`,
      );
    }
  }
  return { problems, notes };
}

async function main() {
  const { values } = parseArgs({
    options: {
      released: { type: "string" },
      current: { type: "string", default: join(root, "schema.graphql") },
      changelog: { type: "string", default: join(root, "CHANGELOG.md") },
      today: { type: "string", default: new Date().toISOString().slice(0, 10) },
    },
  });
  const releasedPath = values.released ?? latestReleased();
  const { problems, notes } = await check({
    releasedSdl: readFileSync(releasedPath, "utf8"),
    currentSdl: readFileSync(values.current, "utf8"),
    changelog: readFileSync(values.changelog, "utf8"),
    today: values.today,
  });
  for (const note of notes) console.log(`  ${note}`);
  if (problems.length > 0) {
    console.error(`schema-check: ${problems.length} undocumented breaking change(s) against ${releasedPath}:`);
    for (const problem of problems) console.error(`  - ${problem}`);
    process.exit(1);
  }
  console.log(`schema-check: no undocumented breaking change against ${releasedPath}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
