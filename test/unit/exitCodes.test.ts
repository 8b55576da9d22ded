import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { exitCodes, fileSystemError, LocalLtoError } from "../../src/diagnostics/errors.js";
import { diagnosticCatalogue } from "../../src/diagnostics/catalogue.js";
import { renderCodeTable, replaceGenerated } from "../../src/diagnostics/catalogueDoc.js";
import { renderReportJsonSchema } from "../../src/report/jsonSchema.js";
import { repoRoot } from "../support/toolchain.js";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : [];
  });
}

test("docs/EXIT-CODES.md's code table and docs/REPORT.md's JSON Schema are what the code generates (npm run docs)", () => {
  const exitDoc = readFileSync(join(repoRoot, "docs/EXIT-CODES.md"), "utf8");
  expect(replaceGenerated(exitDoc, "codes", renderCodeTable())).toBe(exitDoc);
  const reportDoc = readFileSync(join(repoRoot, "docs/REPORT.md"), "utf8");
  expect(replaceGenerated(reportDoc, "schema", renderReportJsonSchema())).toBe(reportDoc);
});

test("every code in the catalogue is used in src/, and every code src/ uses is in the catalogue", () => {
  const text = sourceFiles(join(repoRoot, "src")).filter((f) => !f.endsWith("catalogue.ts")).map((f) => readFileSync(f, "utf8")).join("\n");
  const used = new Set(text.match(/LLTO_[A-Z_]+/g) ?? []);
  expect([...used].filter((code) => !(code in diagnosticCatalogue))).toEqual([]);
  expect(Object.keys(diagnosticCatalogue).filter((code) => !used.has(code))).toEqual([]);
  // The exit code comes from the catalogue: a gate failure and its code cannot disagree.
  expect(new LocalLtoError({ code: "LLTO_CALLS_LEFT", message: "m", fix: "f" }).exitCode).toBe(10);
  expect(new LocalLtoError({ code: "LLTO_NOT_PROVEN", message: "m", fix: "f" }).exitCode).toBe(12);
});

test("every error code used in src/ is documented in docs/EXIT-CODES.md", () => {
  const doc = readFileSync(join(repoRoot, "docs/EXIT-CODES.md"), "utf8");
  const used = new Set(sourceFiles(join(repoRoot, "src")).flatMap((file) => readFileSync(file, "utf8").match(/LLTO_[A-Z_]+/g) ?? []));
  expect(used.size).toBeGreaterThan(10);
  const missing = [...used].filter((code) => !doc.includes(`\`${code}\``));
  expect(missing).toEqual([]);
});

test("every exit code class is documented with its number", () => {
  const doc = readFileSync(join(repoRoot, "docs/EXIT-CODES.md"), "utf8");
  for (const [name, code] of Object.entries(exitCodes)) {
    expect(doc, name).toMatch(new RegExp(`\\| ${code} \\| ${name} \\|`));
  }
});

test("the package exports map points at the built library, and it loads", async () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { exports: Record<string, { import?: string; types?: string }> };
  expect(pkg.exports["."]?.import).toBe("./dist/index.js");
  const api = (await import(new URL(`../../${pkg.exports["."]!.import}`, import.meta.url).href)) as Record<string, unknown>;
  for (const name of ["build", "resolveBuild", "inspectObject", "reportSchema", "LocalLtoError", "exitCodes"]) expect(typeof api[name]).not.toBe("undefined");
});

test("a file system refusal on local-lto's own files is the user's error, exit 3 naming the path (it was exit 70)", () => {
  const refusal = (code: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(`${code}: x`), { code, syscall: "mkdir", path: "/t/local-lto/sets/k.lock", ...extra });
  const denied = fileSystemError(refusal("EACCES"));
  expect(denied?.code).toBe("LLTO_FILE_SYSTEM");
  expect(denied?.exitCode).toBe(3);
  expect(denied?.message).toBe("cannot mkdir /t/local-lto/sets/k.lock: permission denied");
  expect(denied?.fix).toContain("LOCAL_LTO_CACHE_DIR");
  expect(fileSystemError(refusal("EROFS"))?.message).toContain("read-only file system");
  expect(fileSystemError(refusal("ENOSPC"))?.fix).toContain("free space");
  expect(fileSystemError(refusal("EACCES", { syscall: "rename", dest: "/t/b" }))?.message).toBe("cannot rename /t/local-lto/sets/k.lock (to /t/b): permission denied");
  // Anything else stays what it is: a missing file, a refusal with no path, not an error at all.
  expect(fileSystemError(refusal("ENOENT"))).toBeUndefined();
  expect(fileSystemError(Object.assign(new Error("x"), { code: "EACCES" }))).toBeUndefined();
  expect(fileSystemError("EACCES")).toBeUndefined();
  expect(fileSystemError(undefined)).toBeUndefined();
});
