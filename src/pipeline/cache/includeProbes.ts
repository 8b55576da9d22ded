/**
 * What a cached compile's result depends on besides the files it read: the files it looked for
 * and did not find. A header created earlier in the include path than the one a compile used
 * would shadow it; a `__has_include` that was false may become true; a configuration file clang
 * did not find may appear. ccache's direct mode has the same blind spot; here every such lookup
 * that can be derived is recorded as a probe (path, existed) and re-checked on every hit. Pure.
 */
import { dirname, isAbsolute, join, normalize, resolve } from "node:path";

/** clang's include search, as `clang -E -v` prints it for the compile's own flags. */
export interface IncludeSearch {
  /** `#include "..."` directories (after the includer's own directory). */
  quote: string[];
  /** `#include <...>` directories, also searched by quoted includes after `quote`. */
  angle: string[];
  /** Directories named by flags or defaults that did not exist: one appearing would join the search. */
  missing: string[];
  /** The configuration file clang read, if any (`Configuration file: …`). */
  configFile?: string;
  /** Where clang looks for configuration files it did not find (its installation directory and target). */
  configCandidates: string[];
}

/** Reads `clang -E -v`'s stderr (clang 14–22 print the same lines). */
export function parseIncludeSearch(stderr: string): IncludeSearch {
  const search: IncludeSearch = { quote: [], angle: [], missing: [], configCandidates: [] };
  let list: string[] | undefined;
  let installedDir: string | undefined;
  let target: string | undefined;
  for (const line of stderr.split("\n")) {
    const ignoring = line.match(/^ignoring nonexistent directory "(.*)"$/);
    if (ignoring) search.missing.push(normalize(ignoring[1]!));
    else if (line.startsWith('#include "..." search starts here:')) list = search.quote;
    else if (line.startsWith("#include <...> search starts here:")) list = search.angle;
    else if (line.startsWith("End of search list.")) list = undefined;
    else if (list && line.startsWith(" ")) list.push(normalize(line.trim().replace(/ \(framework directory\)$/, "")));
    else if (line.startsWith("InstalledDir: ")) installedDir = line.slice("InstalledDir: ".length).trim();
    else if (line.startsWith("Target: ")) target = line.slice("Target: ".length).trim();
    else if (line.startsWith("Configuration file: ")) search.configFile = line.slice("Configuration file: ".length).trim();
  }
  if (installedDir) {
    const names = ["clang.cfg", ...(target ? [`${target}-clang.cfg`, `${target}.cfg`] : [])];
    search.configCandidates = names.map((name) => join(installedDir!, name));
  }
  return search;
}

/** Names given to `__has_include`/`__has_include_next` as literals; `undefined` when one is computed by a macro. */
export function hasIncludeNames(text: string): string[] | undefined {
  const names: string[] = [];
  const pattern = /__has_include(?:_next)?\s*\(\s*(?:<([^>\n]+)>|"([^"\n]+)"|([^)\s][^)\n]*))\s*\)/g;
  for (const match of text.matchAll(pattern)) {
    if (match[3] !== undefined) {
      // `#define __has_include(x)`-style wrappers and feature checks of the macro itself are fine.
      if (/^[A-Za-z_]\w*$/.test(match[3]) && /defined\s*\(?\s*__has_include/.test(text)) continue;
      return undefined;
    }
    names.push((match[1] ?? match[2])!);
  }
  return names;
}

export interface ProbeInput {
  search: IncludeSearch;
  /** The compile's working directory (relative depfile paths are relative to it). */
  cwd: string;
  source: string;
  /** Every file the compile read (clang's depfile), as written there. */
  deps: readonly string[];
  /** Names given to `__has_include` in the source and its headers. */
  hasIncludes: readonly string[];
  exists: (path: string) => boolean;
}

/**
 * The lookups whose answer decided the compile (path → existed), as a list to re-check later:
 * for each header read under a search directory, the same name in every directory searched before
 * it (and in the includers' own directories, for quoted includes); every `__has_include` name in
 * every directory; every missing search directory; clang's configuration file candidates.
 * Over-approximated where the include spelling is not known: a probe too many costs a `stat`,
 * a probe too few would serve stale bitcode.
 */
export function includeProbes(input: ProbeInput): [string, boolean][] {
  const { search, cwd } = input;
  const abs = (path: string) => (isAbsolute(path) ? normalize(path) : resolve(cwd, path));
  const deps = input.deps.map(abs);
  const ordered = [...new Set([...search.quote, ...search.angle].map(abs))];
  const includerDirs = [...new Set([dirname(abs(input.source)), ...deps.map((d) => dirname(d))])];
  const probes = new Map<string, boolean>();
  const probe = (path: string) => {
    if (!probes.has(path)) probes.set(path, input.exists(path));
  };
  for (const dep of deps) {
    ordered.forEach((dir, at) => {
      if (!dep.startsWith(`${dir}/`)) return;
      const name = dep.slice(dir.length + 1);
      for (const earlier of [...includerDirs, ...ordered.slice(0, at)]) {
        const candidate = join(earlier, name);
        if (candidate !== dep) probe(candidate);
      }
    });
  }
  for (const name of input.hasIncludes) for (const dir of [...includerDirs, ...ordered]) probe(join(dir, name));
  for (const dir of search.missing) probe(abs(dir));
  for (const candidate of search.configCandidates) if (candidate !== search.configFile) probe(candidate);
  // A shadowing candidate that exists now was not what the compile used only if it is not a dependency.
  const depSet = new Set(deps);
  return [...probes].filter(([path, existed]) => !(existed && depSet.has(path)));
}
