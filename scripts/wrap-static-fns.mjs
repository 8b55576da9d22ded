#!/usr/bin/env node
// bindgen's --wrap-static-fns for a header, with local-lto's generator (npm run build first):
// writes extern.c (`<name>__extern` wrappers) and the Rust bindings (`#[link_name]`).
//
//   node scripts/wrap-static-fns.mjs --header wrapper.h --pkg-config liburcu -D _LGPL_SOURCE \
//       --allow '^(_urcu_memb_|cds_list_)' --use-core --out-c extern.c --out-rs bindings.rs
//
// Options: --header FILE (required), --include-as TEXT (how extern.c includes it; default: the
// path as given), --allow REGEX (functions to wrap), --record-fields REGEX (records Rust gets
// with fields although passed by pointer), --pkg-config NAME (repeatable: its --cflags),
// --cflags "STRING" (split as a shell would), -D NAME[=VALUE], -I DIR, --use-core,
// --suffix TEXT (default __extern), --clang PATH, --out-c FILE, --out-rs FILE (default: stdout).
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { generateWrappers, splitShellWords } from "../dist/wrapgen/index.js";

const { values } = parseArgs({
  options: {
    header: { type: "string" },
    "include-as": { type: "string" },
    allow: { type: "string" },
    "record-fields": { type: "string" },
    "pkg-config": { type: "string", multiple: true, default: [] },
    cflags: { type: "string", multiple: true, default: [] },
    D: { type: "string", short: "D", multiple: true, default: [] },
    I: { type: "string", short: "I", multiple: true, default: [] },
    "use-core": { type: "boolean", default: false },
    suffix: { type: "string" },
    clang: { type: "string" },
    "out-c": { type: "string" },
    "out-rs": { type: "string" },
  },
});
if (!values.header) {
  process.stderr.write("error: --header is required\nfix: node scripts/wrap-static-fns.mjs --header wrapper.h [options] (see the comment at the top of this script)\n");
  process.exit(2);
}
const pkgFlags = values["pkg-config"].length > 0 ? splitShellWords(execFileSync("pkg-config", ["--cflags", ...values["pkg-config"]], { encoding: "utf8" }).trim()) : [];
const cflags = ["-O2", ...pkgFlags, ...values.cflags.flatMap(splitShellWords), ...values.D.map((d) => `-D${d}`), ...values.I.map((i) => `-I${i}`)];
try {
  const generated = await generateWrappers({
    header: values.header,
    includeAs: values["include-as"],
    cflags,
    allow: values.allow === undefined ? undefined : new RegExp(values.allow),
    recordFields: values["record-fields"] === undefined ? undefined : new RegExp(values["record-fields"]),
    useCore: values["use-core"],
    suffix: values.suffix,
    clang: values.clang,
  });
  if (values["out-c"]) writeFileSync(values["out-c"], generated.externC);
  else process.stdout.write(generated.externC);
  if (values["out-rs"]) writeFileSync(values["out-rs"], generated.bindingsRs);
  else process.stdout.write(generated.bindingsRs);
  for (const skipped of generated.skipped) process.stderr.write(`not wrapped: ${skipped.name}: ${skipped.reason}\n`);
  process.stderr.write(`${generated.wrapped.length} wrapper(s)\n`);
} catch (error) {
  if (error && typeof error === "object" && "code" in error && "fix" in error) {
    process.stderr.write(`error[${error.code}]: ${error.message}\n  fix: ${error.fix}\n${error.details ? `${error.details}\n` : ""}`);
    process.exit(error.exitCode ?? 1);
  }
  throw error;
}
