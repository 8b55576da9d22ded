/** globals.ll: global variables, aliases, ifuncs, and the llvm.* bookkeeping globals. */
import { describe, expect, it } from "vitest";
import { parseModule } from "../../src/ir/index.js";
import { fixture } from "./helpers.js";

describe("globals.ll", () => {
  const m = parseModule(fixture("globals.ll"));
  const g = (name: string) => m.globals.get(name)!;

  it("reads linkage, visibility and dso_local (written or implied)", () => {
    const rows = ["plain", "const", "priv", "weakv", "odr", "own", "comm", "avail", "ext", "extw"].map((n) => [
      n,
      g(n).linkage,
      g(n).visibility,
      g(n).dsoLocal,
    ]);
    expect(rows).toEqual([
      ["plain", "external", "default", false],
      ["const", "external", "default", true],
      ["priv", "private", "default", true],
      ["weakv", "weak", "hidden", true],
      ["odr", "linkonce_odr", "protected", true],
      ["own", "weak_odr", "default", false],
      ["comm", "common", "default", false],
      ["avail", "available_externally", "default", false],
      ["ext", "external", "default", false],
      ["extw", "extern_weak", "default", false],
    ]);
  });

  it("reads the rest of a definition", () => {
    expect(g("const")).toEqual({
      name: "const",
      linkage: "external",
      visibility: "default",
      dsoLocal: true,
      isConstant: true,
      section: ".rodata.tbl",
      hasInitializer: true,
      externallyInitialized: false,
      unnamedAddr: "local_unnamed_addr",
      isSpecial: false,
      references: [],
      textLine: 8,
    });
    expect(g("priv")).toMatchObject({ isConstant: true, unnamedAddr: "unnamed_addr", hasInitializer: true });
    expect(g("odr").comdat).toBe("grp");
    expect(g("own").comdat).toBe("own");
    expect(g("ext").hasInitializer).toBe(false);
    expect(g("extw").hasInitializer).toBe(false);
    expect(g("tls").threadLocal).toBe("thread_local");
    expect(g("tlsie")).toMatchObject({ threadLocal: "thread_local(initialexec)", linkage: "internal" });
    expect(g("ei")).toMatchObject({ externallyInitialized: true, hasInitializer: true });
    expect(g("dl").debug).toEqual({ file: "globals.c", directory: "/work/src", line: 17 });
  });

  it("collects the values an initializer names, through constant expressions", () => {
    expect(g("tab").references).toEqual(["f", "g"]);
    expect(g("nested").references).toEqual(["f", "g"]);
  });

  it("is not fooled by strings that look like references or attributes", () => {
    expect(g("tricky")).toMatchObject({ references: ["g"], section: "s, align 2", hasInitializer: true });
    expect(g("semi").references).toEqual(["f"]);
  });

  it("does not take the function of a blockaddress for a reference", () => {
    expect(g("jump").references).toEqual([]);
  });

  it("reads the llvm.* bookkeeping globals", () => {
    expect(g("llvm.used").isSpecial).toBe(true);
    expect(m.usedGlobals).toEqual(["kept", "plain"]);
    expect(m.compilerUsedGlobals).toEqual(["kept2"]);
    expect(m.globalCtors).toEqual(["init", "init2"]); // not the associated @plain
    expect(m.globalDtors).toEqual(["fini"]);
  });

  it("reads aliases and ifuncs", () => {
    expect(m.aliases.get("alias_f")).toEqual({
      name: "alias_f",
      linkage: "external",
      visibility: "hidden",
      aliasee: "f",
      references: ["f"],
      textLine: 31,
    });
    expect(m.aliases.get("alias_gep")).toMatchObject({ linkage: "internal", aliasee: null, references: ["plain"] });
    expect(m.ifuncs.get("ifn")).toMatchObject({ resolver: "resolver", references: ["resolver"] });
  });

  it("reads module flags", () => {
    expect(m.moduleFlags).toEqual([{ behavior: 2, key: "Debug Info Version", value: "i32 3" }]);
  });
});
