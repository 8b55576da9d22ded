import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { IrModule } from "../../src/ir/types.js";
import { IntrinsicFacts } from "../../src/inlining/intrinsicNeeds.js";
import { emptyTargetFacts, TargetModel, type TargetFacts } from "../../src/inlining/targetFeatures.js";
import { answerQuestions } from "../../src/pipeline/reconcile/llvmFacts.js";
import { llvmBin, repoRoot, tempDir } from "./toolchain.js";

/**
 * LLVM's answers the rule tests depend on (target-feature verdicts and bits, intrinsic selection),
 * recorded from the installed LLVM 22 in test/fixtures/llvm-facts/<name>.json so the unit tests run
 * the pure rules without it. A question the recording lacks fails the test and says how to record:
 * `RECORD_LLVM_FACTS=1 npx vitest run <test file>` asks the real opt and llc and rewrites the file.
 * test/e2e/llvm-facts.test.ts checks every recorded answer against the installed LLVM.
 */
interface Recorded {
  targets: TargetFacts;
  intrinsics: Record<string, boolean>;
}

export const factsFixtureDir = join(repoRoot, "test/fixtures/llvm-facts");

export function readRecordedFacts(name: string): Record<string, Recorded> {
  const file = join(factsFixtureDir, `${name}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, Recorded>) : {};
}

export function recordedFacts(name: string) {
  const file = join(factsFixtureDir, `${name}.json`);
  const stored = readRecordedFacts(name);
  const recording = !!process.env.RECORD_LLVM_FACTS;
  return {
    async run<T>(triple: string, modules: readonly IrModule[], compute: (targets: TargetModel, intrinsics: IntrinsicFacts) => T): Promise<T> {
      const declarationOf = (n: string) => modules.map((m) => m.functions.get(n)).find((f) => f !== undefined);
      const data = (stored[triple] ??= { targets: emptyTargetFacts(), intrinsics: {} });
      if (recording) {
        const scratch = tempDir("llto-record-facts-");
        let n = 0;
        const result = await answerQuestions(
          { tools: { opt: `${llvmBin}/opt`, llc: `${llvmBin}/llc` }, triple, scratchFile: (f) => join(scratch, `${++n}-${f}`), declarationOf },
          { data, tried: new Set(), markDirty: () => undefined },
          compute,
        );
        writeFileSync(file, `${JSON.stringify(stored, null, 1)}\n`);
        return result;
      }
      const targets = new TargetModel(triple, data.targets);
      const intrinsics = new IntrinsicFacts(data.intrinsics, declarationOf);
      const result = compute(targets, intrinsics);
      const missing = targets.missing();
      const selections = intrinsics.missing();
      if (missing.verdicts.length || missing.bitsFor.length || selections.length) {
        throw new Error(
          `LLVM facts not recorded in test/fixtures/llvm-facts/${name}.json (${missing.verdicts.length} verdict(s), ${missing.bitsFor.length} target bit set(s), ${selections.length} intrinsic selection(s)): run RECORD_LLVM_FACTS=1 npx vitest run on this test file`,
        );
      }
      return result;
    },
  };
}
