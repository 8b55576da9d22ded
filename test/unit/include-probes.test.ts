import { describe, expect, test } from "vitest";
import { hasIncludeNames, includeProbes, parseIncludeSearch } from "../../src/pipeline/cache/includeProbes.js";

/** `clang-22 -E -v -Iinc -Inope -iquote q -x c /dev/null` on this machine (stderr, trimmed). */
const clangStderr = `Debian clang version 22.1.8 (1~deb12u1)
Target: x86_64-unknown-linux-gnu
Thread model: posix
InstalledDir: /usr/lib/llvm-22/bin
ignoring nonexistent directory "nope"
ignoring nonexistent directory "/include"
#include "..." search starts here:
 q
#include <...> search starts here:
 inc
 /usr/lib/llvm-22/lib/clang/22/include
 /usr/include
End of search list.
`;

describe("include probes (pure)", () => {
  test("clang -E -v: quote and angle lists, missing directories, configuration file candidates", () => {
    expect(parseIncludeSearch(clangStderr)).toEqual({
      quote: ["q"],
      angle: ["inc", "/usr/lib/llvm-22/lib/clang/22/include", "/usr/include"],
      missing: ["nope", "/include"],
      configCandidates: ["/usr/lib/llvm-22/bin/clang.cfg", "/usr/lib/llvm-22/bin/x86_64-unknown-linux-gnu-clang.cfg", "/usr/lib/llvm-22/bin/x86_64-unknown-linux-gnu.cfg"],
    });
  });

  test("__has_include: literal names, and undefined when the argument is computed", () => {
    expect(hasIncludeNames('#if __has_include(<a/b.h>) && __has_include_next("c.h")\n#endif')).toEqual(["a/b.h", "c.h"]);
    expect(hasIncludeNames("#if __has_include(HEADER)\n#endif")).toBeUndefined();
    expect(hasIncludeNames("#if defined(__has_include)\n#endif")).toEqual([]);
  });

  test("a header found in a later directory: the same name in every earlier directory and the includers' directories is probed", () => {
    const search = parseIncludeSearch(clangStderr);
    const existing = new Set(["/src/inc/value.h", "/usr/include/stdio.h"]);
    const probes = includeProbes({ search, cwd: "/src", source: "/src/helper.c", deps: ["helper.c", "inc/value.h", "/usr/include/stdio.h"], hasIncludes: ["opt.h"], exists: (p) => existing.has(p) });
    const paths = new Map(probes);
    // stdio.h was found in /usr/include: earlier directories and the includers' own must still lack it.
    expect(paths.get("/src/q/stdio.h")).toBe(false);
    expect(paths.get("/src/inc/stdio.h")).toBe(false);
    expect(paths.get("/usr/lib/llvm-22/lib/clang/22/include/stdio.h")).toBe(false);
    expect(paths.get("/src/stdio.h")).toBe(false);
    // value.h was found in inc: the source's directory and q come first for a quoted include.
    expect(paths.get("/src/value.h")).toBe(false);
    expect(paths.get("/src/q/value.h")).toBe(false);
    // __has_include names everywhere; missing directories; config files.
    expect(paths.get("/usr/include/opt.h")).toBe(false);
    expect(paths.get("/src/nope")).toBe(false);
    expect(paths.get("/usr/lib/llvm-22/bin/clang.cfg")).toBe(false);
    // A file the compile read is never a "must stay absent" probe.
    expect(paths.has("/src/inc/value.h")).toBe(false);
  });
});
