import { describe, expect, it } from "vitest";
import { addDepInfoDependencies, firstRuleDependencies } from "../../src/rustc/depInfo.js";

/** rustc 1.95's dep-info for Cargo (`--emit=dep-info,metadata,link --out-dir …`), with an env-dep line. */
const cargoDepInfo = [
  "/w/target/release/deps/a-51b7.d: src/lib.rs src/my\\ mod.rs",
  "",
  "/w/target/release/deps/liba-51b7.rlib: src/lib.rs src/my\\ mod.rs",
  "",
  "/w/target/release/deps/liba-51b7.rmeta: src/lib.rs src/my\\ mod.rs",
  "",
  "src/lib.rs:",
  "src/my\\ mod.rs:",
  "",
  "# env-dep:CARGO_PKG_NAME=a",
  "",
].join("\n");

describe("addDepInfoDependencies", () => {
  it("adds the files to every rule and an empty rule for each", () => {
    const out = addDepInfoDependencies(cargoDepInfo, ["/w/local-lto.toml", "/usr/include/ck ring.h"]);
    expect(out).toBe(
      [
        "/w/target/release/deps/a-51b7.d: src/lib.rs src/my\\ mod.rs /w/local-lto.toml /usr/include/ck\\ ring.h",
        "",
        "/w/target/release/deps/liba-51b7.rlib: src/lib.rs src/my\\ mod.rs /w/local-lto.toml /usr/include/ck\\ ring.h",
        "",
        "/w/target/release/deps/liba-51b7.rmeta: src/lib.rs src/my\\ mod.rs /w/local-lto.toml /usr/include/ck\\ ring.h",
        "",
        "src/lib.rs:",
        "src/my\\ mod.rs:",
        "/w/local-lto.toml:",
        "/usr/include/ck\\ ring.h:",
        "",
        "# env-dep:CARGO_PKG_NAME=a",
        "",
      ].join("\n"),
    );
    // What Cargo reads: the first rule, with escaped spaces joined back.
    expect(firstRuleDependencies(out)).toEqual(["src/lib.rs", "src/my mod.rs", "/w/local-lto.toml", "/usr/include/ck ring.h"]);
  });

  it("changes nothing the second time, and nothing for no files", () => {
    const once = addDepInfoDependencies(cargoDepInfo, ["/h.c"]);
    expect(addDepInfoDependencies(once, ["/h.c"])).toBe(once);
    expect(addDepInfoDependencies(cargoDepInfo, [])).toBe(cargoDepInfo);
  });

  it("handles Make-style dep-info without empty rules", () => {
    expect(addDepInfoDependencies("drv/a.o: drv/a.rs\n", ["/h.c"])).toBe("drv/a.o: drv/a.rs /h.c\n/h.c:\n");
  });

  it("does not repeat a file the crate already depends on", () => {
    const text = "x.d: lib.rs /h.c\n\nlib.rs:\n/h.c:\n";
    expect(addDepInfoDependencies(text, ["/h.c"])).toBe(text);
  });
});
