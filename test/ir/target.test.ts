/** parseTargetFeatures and parseTriple, on what clang and rustc write. */
import { describe, expect, it } from "vitest";
import { parseTargetFeatures, parseTriple } from "../../src/ir/index.js";

describe("parseTargetFeatures", () => {
  it("reads clang's feature list", () => {
    expect([...parseTargetFeatures("+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87")]).toEqual([
      ["cmov", "+"],
      ["cx8", "+"],
      ["fxsr", "+"],
      ["mmx", "+"],
      ["sse", "+"],
      ["sse2", "+"],
      ["x87", "+"],
    ]);
  });

  it("keeps the last word on a feature, as LLVM does", () => {
    const f = parseTargetFeatures("+avx2,-avx2,+crc32, -sse4.2");
    expect(f.get("avx2")).toBe("-");
    expect(f.get("crc32")).toBe("+");
    expect(f.get("sse4.2")).toBe("-");
  });

  it("reads an empty list as no features", () => {
    expect(parseTargetFeatures("").size).toBe(0);
    expect(parseTargetFeatures(",,").size).toBe(0);
  });
});

describe("parseTriple", () => {
  it("splits four-part triples", () => {
    expect(parseTriple("x86_64-pc-linux-gnu")).toEqual({ arch: "x86_64", vendor: "pc", os: "linux", env: "gnu" });
    expect(parseTriple("x86_64-unknown-linux-gnu")).toEqual({ arch: "x86_64", vendor: "unknown", os: "linux", env: "gnu" });
    expect(parseTriple("aarch64-unknown-linux-musl")).toEqual({ arch: "aarch64", vendor: "unknown", os: "linux", env: "musl" });
  });

  it("splits three-part triples with and without a vendor", () => {
    expect(parseTriple("aarch64-apple-darwin")).toEqual({ arch: "aarch64", vendor: "apple", os: "darwin", env: "" });
    expect(parseTriple("x86_64-linux-gnu")).toEqual({ arch: "x86_64", vendor: "unknown", os: "linux", env: "gnu" });
    expect(parseTriple("riscv64-unknown-none-elf")).toEqual({ arch: "riscv64", vendor: "unknown", os: "none", env: "elf" });
  });
});
