/**
 * Pure parsers for what the rustc plugin leaves behind (plugin/link_helpers.cpp): its record of
 * linked helpers and its fatal errors in rustc's stderr.
 */

/** One codegen unit that linked helpers: rustc's module name and the helpers it took, sorted. */
export interface LinkedModule {
  /** rustc's codegen-unit name, e.g. `regex_syntax.a1b2c3d4e5f6a7b8-cgu.03`; its object is
   * `<crate>.<module>.rcgu.o` with `--out-dir`, or the `-o` file with one codegen unit. */
  module: string;
  helpers: string[];
}

/**
 * `LOCAL_LTO_PLUGIN_RECORD`: one JSON line per module, `{"module":…,"helpers":[…]}`. Each line
 * is one write(), so lines are whole; a line that is not is the plugin's bug and throws.
 */
export function parsePluginRecord(text: string): LinkedModule[] {
  const modules: LinkedModule[] = [];
  text.split("\n").forEach((line, index) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`plugin record line ${index + 1} is not JSON: ${line.slice(0, 200)}`);
    }
    const entry = value as { module?: unknown; helpers?: unknown };
    if (typeof entry.module !== "string" || !Array.isArray(entry.helpers) || !entry.helpers.every((h) => typeof h === "string")) {
      throw new Error(`plugin record line ${index + 1} is not {"module": string, "helpers": string[]}: ${line.slice(0, 200)}`);
    }
    modules.push({ module: entry.module, helpers: entry.helpers as string[] });
  });
  return modules;
}

/**
 * The plugin's own fatal error, if rustc stopped on one. rustc prints LLVM fatal errors as
 * `rustc-LLVM ERROR: <reason>` (1.95, 1.97; plain `LLVM ERROR:` in LLVM's default handler) and
 * exits with 101; the plugin starts every reason with `local-lto plugin: `.
 */
export function parsePluginFailure(stderr: string): string | undefined {
  const match = stderr.match(/^(?:rustc-)?LLVM ERROR: local-lto plugin: (.*)$/m);
  return match?.[1]?.trim();
}
