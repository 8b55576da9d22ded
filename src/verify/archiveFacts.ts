import type { ObjectFacts } from "./objectFacts.js";
import type { HelperReport, Report, SymbolState } from "../report/schema.js";

/** What the proof made of one archive member. */
export interface MemberFacts {
  /** The member's name, made unique within the archive (`name#2` for a second member of that name). */
  name: string;
  /** elf: read and analysed (`facts`); skipped: holds no code (metadata, text); unreadable: code the proof cannot read. */
  kind: "elf" | "skipped" | "unreadable";
  facts?: ObjectFacts;
  note?: string;
}

const symbolRank: Record<SymbolState, number> = { global: 4, weak: 3, local: 2, undefined: 1, absent: 0 };

/**
 * One row per helper over every member of an archive: the calls of all members (each naming its
 * member), the strongest symbol state any member gives it, and `inlined` only when no member has a
 * call, every member proves its absence, and no member holds code the proof cannot read. Pure.
 */
export function combineMemberFacts(members: readonly MemberFacts[], helperNames: readonly string[]): Pick<Report, "helpers" | "notes" | "coverage" | "members"> {
  const unreadable = members.filter((m) => m.kind === "unreadable");
  const analysed = members.filter((m): m is MemberFacts & { facts: ObjectFacts } => m.kind === "elf" && m.facts !== undefined);
  const helpers = [...helperNames].sort().map((name): HelperReport => {
    const rows = analysed.map((m) => ({ member: m.name, row: m.facts.helpers.find((h) => h.name === name)! })).filter((r) => r.row);
    const calls = rows.flatMap(({ member, row }) => row.calls.map((c) => ({ ...c, member })));
    const best = rows.reduce<(typeof rows)[number] | undefined>((a, b) => (a && symbolRank[a.row.symbol] >= symbolRank[b.row.symbol] ? a : b), undefined);
    const reasons = [
      ...rows.flatMap(({ member, row }) => (row.notProven ?? []).map((why) => `${member}: ${why}`)),
      ...unreadable.map((m) => `${m.name}: ${m.note ?? "not an object local-lto can read"}`),
    ];
    const verdict = calls.length > 0 ? "calls-left" : reasons.length > 0 ? "not-proven" : "inlined";
    return {
      name,
      callSitesBefore: null,
      mismatchedCallSitesBefore: null,
      callsLeft: calls.length,
      calls,
      addressReferences: rows.reduce((n, r) => n + r.row.addressReferences, 0),
      symbol: best?.row.symbol ?? "absent",
      visibility: best?.row.visibility,
      inlined: verdict === "inlined",
      verdict,
      ...(verdict === "not-proven" ? { notProven: reasons } : {}),
    };
  });
  const sections = { decoded: 0, partial: 0, skipped: 0, stubs: 0 };
  const gaps: NonNullable<Report["coverage"]>["gaps"] = [];
  for (const m of analysed) {
    const c = m.facts.coverage;
    if (!c) continue;
    for (const key of Object.keys(sections) as Array<keyof typeof sections>) sections[key] += c.sections[key];
    gaps.push(...c.gaps.map((g) => ({ member: m.name, ...g })));
  }
  return {
    helpers,
    notes: [...analysed.flatMap((m) => m.facts.notes.map((n) => `${m.name}: ${n}`)), ...members.filter((m) => m.kind !== "elf" && m.note).map((m) => `${m.name}: ${m.note}`)],
    coverage: { sections, gaps },
    members: members.map((m) => ({ name: m.name, kind: m.kind, ...(m.note ? { note: m.note } : {}) })),
  };
}

/** `name`, `name#2`, `name#3`… for members that share a name (ar allows it; rlibs never do). */
export function uniqueMemberNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const n = (seen.get(name) ?? 0) + 1;
    seen.set(name, n);
    return n === 1 ? name : `${name}#${n}`;
  });
}
