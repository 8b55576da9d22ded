/**
 * Finds and compares the hot loops of two builds of one function (pure): llvm-objdump text in,
 * normalised loop bodies and a line diff out.
 */
export interface Instruction {
  address: number;
  /** Mnemonic and operands, comments dropped, e.g. `cmpq $-0xfff, (%rdi,%r8,8)`. */
  text: string;
  mnemonic: string;
  /** Address a direct branch goes to. */
  target?: number;
}

/** Parses `llvm-objdump -d --no-show-raw-insn` output for one symbol. */
export function parseDisassembly(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  for (const line of text.split("\n")) {
    const match = line.match(/^\s*([0-9a-f]+):\s+(\S+)(?:\s+(.*))?$/);
    if (!match) continue;
    const address = parseInt(match[1]!, 16);
    const mnemonic = match[2]!;
    const operands = (match[3] ?? "").replace(/\s*#.*$/, "").trim();
    const branch = /^(j[a-z]+|call[a-z]*)$/.test(mnemonic) ? operands.match(/^0x([0-9a-f]+)\b/) : null;
    instructions.push({
      address,
      mnemonic,
      text: operands ? `${mnemonic} ${operands.replace(/\s+/g, " ")}` : mnemonic,
      target: branch ? parseInt(branch[1]!, 16) : undefined,
    });
  }
  return instructions;
}

export interface Loop {
  start: number;
  /** Address of the backward branch that closes the loop. */
  end: number;
  instructions: Instruction[];
}

const isPadding = (i: Instruction) => /^(nop[a-z]*|int3|data16|cs)$/.test(i.mnemonic) || /^nop/.test(i.text);
const isCall = (i: Instruction) => /^call/.test(i.mnemonic);

/**
 * The innermost call-free loops: each backward branch closes a loop from its target to itself;
 * a loop that contains another is not innermost, and a loop with a call is a cold path (the
 * helper's slow path) or an out-of-line helper call, not the body we compare.
 */
export function innermostLoops(instructions: readonly Instruction[]): Loop[] {
  const loops: Loop[] = [];
  for (const branch of instructions) {
    if (branch.target === undefined || !/^j/.test(branch.mnemonic) || branch.target > branch.address) continue;
    const body = instructions.filter((i) => i.address >= branch.target! && i.address <= branch.address);
    loops.push({ start: branch.target, end: branch.address, instructions: body });
  }
  const innermost = loops.filter((outer) => !loops.some((inner) => inner !== outer && inner.start >= outer.start && inner.end <= outer.end && (inner.start !== outer.start || inner.end !== outer.end)));
  return innermost.filter((l) => !l.instructions.some(isCall)).sort((a, b) => a.start - b.start);
}

/** A loop as comparable text: no addresses, branch targets as offsets into the loop, no padding. */
export function normalizeLoop(loop: Loop): string[] {
  const body = loop.instructions.filter((i) => !isPadding(i));
  const labels = new Map(body.map((i, index) => [i.address, index]));
  return body.map((i) => {
    if (i.target === undefined) return i.text;
    const label = labels.get(i.target);
    return `${i.mnemonic} ${label === undefined ? "<exit>" : `L${label}`}`;
  });
}

/**
 * The hot loop of a benchmark function: its largest innermost call-free loop. That is the vector
 * body when the loop was vectorized (the scalar remainder never runs: the arrays hold 1024
 * elements), and the only loop otherwise; small loops around it are the outer pass loop.
 */
export function hotLoop(text: string): string[] {
  const loops = innermostLoops(parseDisassembly(text));
  const largest = loops.reduce<Loop | undefined>((best, loop) => (!best || loop.instructions.length > best.instructions.length ? loop : best), undefined);
  return largest ? normalizeLoop(largest) : [];
}

/** The whole function as comparable text (branch targets as labels, no padding). */
export function wholeFunction(text: string): string[] {
  const instructions = parseDisassembly(text);
  if (instructions.length === 0) return [];
  return normalizeLoop({ start: instructions[0]!.address, end: instructions.at(-1)!.address, instructions });
}

/** Registers renamed in order of first use: two loops that differ only in register allocation compare equal. */
export function renameRegisters(lines: readonly string[]): string[] {
  const names = new Map<string, string>();
  return lines.map((line) =>
    line.replace(/%[a-z][a-z0-9]*/g, (reg) => {
      if (reg === "%rip") return reg;
      if (!names.has(reg)) names.set(reg, `%R${names.size}`);
      return names.get(reg)!;
    }),
  );
}

export type DiffLine = { op: " " | "-" | "+"; line: string };

/** Longest-common-subsequence line diff; the inputs here are a few dozen lines. */
export function diffLines(before: readonly string[], after: readonly string[]): DiffLine[] {
  const n = before.length;
  const m = after.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i]![j] = before[i] === after[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < n && j < m) {
    if (before[i] === after[j]) {
      out.push({ op: " ", line: before[i]! });
      i++;
      j++;
    } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) {
      out.push({ op: "-", line: before[i++]! });
    } else {
      out.push({ op: "+", line: after[j++]! });
    }
  }
  while (i < n) out.push({ op: "-", line: before[i++]! });
  while (j < m) out.push({ op: "+", line: after[j++]! });
  return out;
}
