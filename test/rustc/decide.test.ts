import { describe, expect, it } from "vitest";
import { parseRustcArgs } from "../../src/rustc/args.js";
import { decideFromArgs } from "../../src/rustc/decide.js";
import { decisionCases } from "./cases.js";

describe("decideFromArgs", () => {
  for (const c of decisionCases) {
    it(c.name, () => {
      const decision = decideFromArgs(parseRustcArgs(c.args));
      const got = decision.action === "pass-through" ? decision.reason : decision.action;
      expect(got).toBe(c.expected);
      if (decision.action === "pass-through" && c.note !== undefined) expect(!!decision.note).toBe(c.note);
    });
  }
});
