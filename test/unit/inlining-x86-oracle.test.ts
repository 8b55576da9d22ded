import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { compareTargets, type TargetAttributes } from "../../src/inlining/targetCompat.js";
import { knownX86Cpus } from "../../src/inlining/x86Features.js";
import { llvmBin, tempDir } from "../support/toolchain.js";

/**
 * local-lto's x86 feature model against LLVM itself: for each (caller, callee) pair of target
 * attributes, a module where the caller calls an empty callee; `opt -passes=inline` inlines exactly
 * when the feature bits are compatible, so its remarks are the ground truth.
 */
interface Pair {
  caller: TargetAttributes;
  callee: TargetAttributes;
}

function attrText(t: TargetAttributes): string {
  return [t.cpu !== undefined ? `"target-cpu"="${t.cpu}"` : "", t.tuneCpu !== undefined ? `"tune-cpu"="${t.tuneCpu}"` : "", t.features !== undefined ? `"target-features"="${t.features}"` : ""].join(" ");
}

/** Runs opt once over every pair; returns which pairs LLVM inlined. */
function llvmInlines(pairs: Pair[]): boolean[] {
  const dir = tempDir("llto-x86-oracle-");
  const lines = ['target triple = "x86_64-unknown-linux-gnu"'];
  pairs.forEach((p, i) => {
    lines.push(`define void @callee_${i}() #${2 * i} { ret void }`);
    lines.push(`define void @caller_${i}() #${2 * i + 1} {\n  call void @callee_${i}()\n  ret void\n}`);
    lines.push(`attributes #${2 * i} = { ${attrText(p.callee)} }`);
    lines.push(`attributes #${2 * i + 1} = { ${attrText(p.caller)} }`);
  });
  const file = join(dir, "pairs.ll");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const run = spawnSync(`${llvmBin}/opt`, ["-passes=inline", "-pass-remarks=inline", file, "-o", "/dev/null"], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`opt failed: ${run.stderr.slice(-2000)}`);
  const stderr = run.stderr;
  const inlined = new Set<number>();
  for (const m of stderr.matchAll(/'callee_(\d+)' inlined into 'caller_(\d+)'/g)) inlined.add(Number(m[1]));
  return pairs.map((_, i) => inlined.has(i));
}

function modelInlines(p: Pair): boolean {
  const kind = compareTargets(p.caller, p.callee, "x86_64-unknown-linux-gnu").kind;
  if (kind === "unknown") throw new Error(`model has no answer for ${JSON.stringify(p)}`);
  return kind === "identical" || kind === "equal" || kind === "subset";
}

function disagreements(pairs: Pair[]): string[] {
  const truth = llvmInlines(pairs);
  const out: string[] = [];
  pairs.forEach((p, i) => {
    const model = modelInlines(p);
    if (model !== truth[i]) out.push(`caller {${attrText(p.caller)}} callee {${attrText(p.callee)}}: LLVM ${truth[i] ? "inlines" : "refuses"}, model says ${model ? "inline" : "refuse"}`);
  });
  return out;
}

function llcFeatures(): string[] {
  const help = execFileSync("/bin/sh", ["-c", `"${llvmBin}/llc" -mtriple=x86_64 -mattr=help 2>&1`], { encoding: "utf8" });
  const section = help.slice(help.indexOf("Available features"));
  return [...section.matchAll(/^ {2}([a-z0-9][a-z0-9.-]*)\s+-/gm)].map((m) => m[1]!).filter((f) => !["16bit-mode", "32bit-mode", "64bit-mode", "x32"].includes(f));
}

// The feature strings the two compilers really write for kernel-like builds (see test/fixtures/kernel-like).
const rustcBareMetal =
  "-mmx,-sse,-sse2,-sse3,-ssse3,-sse4.1,-sse4.2,-avx,-avx2,+soft-float";
const clangKernel =
  "+cmov,+cx8,+fxsr,-aes,-avx,-avx2,-avx512f,-f16c,-fma,-mmx,-pclmul,-sha,-sse,-sse2,-sse3,-sse4.1,-sse4.2,-sse4a,-ssse3,-x87,-xop";

describe("x86 target-feature model agrees with opt -passes=inline", () => {
  const features = llcFeatures();

  test("llc lists the features the model knows (sanity)", () => {
    expect(features.length).toBeGreaterThan(150);
    for (const f of ["sse2", "avx512f", "cmov", "retpoline-external-thunk", "soft-float"]) expect(features).toContain(f);
  });

  test("every single-feature pair (implications), on a low base", () => {
    const base = "-sse,-x87,-cx8,-mmx,-nopl,-cmov,";
    const pairs: Pair[] = [];
    for (const a of features) for (const b of features) pairs.push({ caller: { cpu: "generic", features: `${base}+${a}` }, callee: { cpu: "generic", features: `${base}+${b}` } });
    expect(disagreements(pairs)).toEqual([]);
  }, 120_000);

  test("every negative feature against a rich CPU (what -f turns off)", () => {
    const pairs: Pair[] = [];
    // -64bit in 64-bit mode is a fatal LLVM error, not an answer.
    for (const f of features.filter((x) => x !== "64bit")) {
      pairs.push({ caller: { cpu: "x86-64-v4", features: `-${f}` }, callee: { cpu: "x86-64-v4" } });
      pairs.push({ caller: { cpu: "skylake-avx512" }, callee: { cpu: "x86-64", features: `+${f}` } });
    }
    expect(disagreements(pairs)).toEqual([]);
  }, 60_000);

  test("every known CPU against every other, with and without tune-cpu", () => {
    const cpus = knownX86Cpus();
    const pairs: Pair[] = [];
    for (const a of cpus) {
      for (const b of cpus) {
        pairs.push({ caller: { cpu: a }, callee: { cpu: b } });
        pairs.push({ caller: { cpu: a, tuneCpu: "generic" }, callee: { cpu: b, tuneCpu: "generic" } });
        pairs.push({ caller: { cpu: a }, callee: { cpu: a, tuneCpu: b } });
      }
    }
    expect(disagreements(pairs)).toEqual([]);
  }, 60_000);

  test("rustc's and clang's real strings: default, bare-metal soft-float, kernel C flags", () => {
    const rustTargets: TargetAttributes[] = [
      { cpu: "x86-64" },
      { cpu: "x86-64", features: rustcBareMetal },
      { cpu: "x86-64", tuneCpu: "generic", features: `${rustcBareMetal},+retpoline-external-thunk,+retpoline-indirect-branches,+retpoline-indirect-calls,+harden-sls-ijmp,+harden-sls-ret` },
      { cpu: "x86-64-v3" },
      { cpu: "znver3", features: "+avx2,+sse4.2" },
    ];
    const cTargets: TargetAttributes[] = [
      { cpu: "x86-64", tuneCpu: "generic", features: "+cmov,+cx8,+fxsr,+mmx,+sse,+sse2,+x87" },
      { cpu: "x86-64", tuneCpu: "generic", features: clangKernel },
      { cpu: "x86-64", tuneCpu: "generic", features: `${clangKernel},+retpoline-external-thunk,+retpoline-indirect-branches,+retpoline-indirect-calls,+harden-sls-ijmp,+harden-sls-ret` },
      { cpu: "x86-64", tuneCpu: "generic", features: "+cmov,+cx8,+fxsr,+mmx,+popcnt,+sse,+sse2,+x87" },
      { cpu: "haswell", features: "+avx,+avx2" },
      { cpu: "x86-64-v2", tuneCpu: "znver3" },
    ];
    const pairs: Pair[] = [];
    for (const r of rustTargets) for (const c of cTargets) pairs.push({ caller: r, callee: c }, { caller: c, callee: r });
    expect(disagreements(pairs)).toEqual([]);
  }, 60_000);
});
