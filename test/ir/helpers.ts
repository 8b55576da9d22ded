/**
 * Drives the real compilers and LLVM's own tools for the IR reader's tests, and reads LLVM's view
 * of a module (symbols, call graph, instruction counts) to compare with the reader's.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** rustc 1.95 uses LLVM 22: the tools must be that version to read its bitcode. */
export const llvmBin = process.env.LLVM_BIN ?? "/usr/lib/llvm-22/bin";
export const tool = (name: string): string => join(llvmBin, name);

export function rustc(): string {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, "rustc"))) return join(dir, "rustc");
  }
  const cargo = join(homedir(), ".cargo/bin/rustc");
  return existsSync(cargo) ? cargo : "rustc";
}

export const fixturesDir = fileURLToPath(new URL("./fixtures/", import.meta.url));

export function fixture(name: string): string {
  return readFileSync(join(fixturesDir, name), "utf8");
}

/** Runs a command that must succeed; stdout and stderr together (opt prints analyses to stderr). */
export function run(file: string, args: string[], cwd?: string): string {
  return execFileSync(file, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** Like {@link run} but returns stderr, where opt's printer passes write. */
export function runStderr(file: string, args: string[]): string {
  const r = spawnSync(file, args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${file} ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stderr;
}

export class Scratch {
  readonly dir = mkdtempSync(join(tmpdir(), "llto-ir-"));
  path(name: string): string {
    return join(this.dir, name);
  }
  write(name: string, text: string): string {
    const p = this.path(name);
    writeFileSync(p, text);
    return p;
  }
  read(name: string): string {
    return readFileSync(this.path(name), "utf8");
  }
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Compiles C to IR text with clang -O2 (plus `flags`). */
export function clangToIr(scratch: Scratch, name: string, source: string, flags: string[] = []): string {
  scratch.write(`${name}.c`, source);
  // Relative names, as a build would pass them: DIFile then has the name and the directory apart.
  run(tool("clang"), ["-O2", "-S", "-emit-llvm", ...flags, "-o", `${name}.ll`, `${name}.c`], scratch.dir);
  return scratch.path(`${name}.ll`);
}

/** Compiles a Rust library to IR text with rustc -O (plus `flags`). */
export function rustToIr(scratch: Scratch, name: string, source: string, flags: string[] = []): string {
  const rs = scratch.write(`${name}.rs`, source);
  const out = scratch.path(`${name}.ll`);
  run(rustc(), ["-O", "--crate-type", "lib", "--crate-name", name, "--emit=llvm-ir", ...flags, "-o", out, rs]);
  return out;
}

/**
 * Assembles IR text to bitcode with llvm-as (which verifies it) into a temporary directory and
 * returns the .bc path; `dispose` removes it.
 */
export function assemble(ll: string): { bc: string; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "llto-ir-as-"));
  const bc = join(dir, "module.bc");
  run(tool("llvm-as"), [ll, "-o", bc]);
  return { bc, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface NmSymbol {
  name: string;
  /** nm's letter: T/t functions, D/d/B/b/R/r data, W/V weak, U undefined, w weak undefined. */
  kind: string;
}

/** llvm-nm's symbols of a bitcode file (private symbols are not in its symbol table). */
export function nmSymbols(bc: string): NmSymbol[] {
  const out: NmSymbol[] = [];
  for (const line of run(tool("llvm-nm"), [bc]).split("\n")) {
    const m = /^(?:[0-9a-f-]+|\s+)\s+([A-Za-z])\s+(.+)$/.exec(line);
    if (m) out.push({ kind: m[1]!, name: m[2]! });
  }
  return out;
}

export interface CallGraphNode {
  /** Direct calls to each function, counted per call site. */
  direct: Map<string, number>;
  /** Call sites LLVM cannot resolve to a function: indirect calls, inline asm. */
  external: number;
}

export interface CallGraph {
  nodes: Map<string, CallGraphNode>;
  /** Functions the external node calls: externally visible or address-taken ones. */
  externallyCallable: Set<string>;
}

/** LLVM's call graph of a module, from `opt -passes=print-callgraph`. */
export function callGraph(file: string): CallGraph {
  const text = runStderr(tool("opt"), ["-passes=print-callgraph", "-disable-output", file]);
  const nodes = new Map<string, CallGraphNode>();
  const externallyCallable = new Set<string>();
  let current: CallGraphNode | null = null;
  let inNullNode = false;
  for (const line of text.split("\n")) {
    const head = /^Call graph node for function: '(.*)'<<0x[0-9a-f]+>>/.exec(line);
    if (head) {
      current = { direct: new Map(), external: 0 };
      nodes.set(head[1]!, current);
      inNullNode = false;
      continue;
    }
    if (line.startsWith("Call graph node <<null function>>")) {
      current = null;
      inNullNode = true;
      continue;
    }
    const edge = /^\s+CS<(None|0x[0-9a-f]+)> calls (?:function '(.*)'|external node)$/.exec(line);
    if (!edge) continue;
    if (inNullNode) {
      if (edge[2] !== undefined) externallyCallable.add(edge[2]);
      continue;
    }
    // Edges without a call site come from callback metadata, not from calls in the body.
    if (!current || edge[1] === "None") continue;
    if (edge[2] === undefined) current.external++;
    else current.direct.set(edge[2], (current.direct.get(edge[2]) ?? 0) + 1);
  }
  return { nodes, externallyCallable };
}

/** Records in a bitcode function block that are not instructions. */
const NON_INSTRUCTION_RECORDS = new Set([
  "DECLAREBLOCKS",
  "DEBUG_LOC",
  "DEBUG_LOC_AGAIN",
  "OPERAND_BUNDLE",
  "BLOCKADDR_USERS",
  "DEBUG_RECORD_VALUE",
  "DEBUG_RECORD_DECLARE",
  "DEBUG_RECORD_ASSIGN",
  "DEBUG_RECORD_VALUE_SIMPLE",
  "DEBUG_RECORD_LABEL",
]);

/**
 * Instruction counts of the defined functions, in module order, from the instruction records of
 * each function block of the bitcode (llvm-bcanalyzer -dump). Not opt's func-properties: it
 * counts reachable blocks only, and rustc -O0 leaves unreachable ones.
 */
export function instructionCounts(bc: string): number[] {
  const counts: number[] = [];
  let current = -1;
  for (const line of run(tool("llvm-bcanalyzer"), ["-dump", bc]).split("\n")) {
    if (line.startsWith("  <FUNCTION_BLOCK ")) {
      current = counts.push(0) - 1;
      continue;
    }
    if (line.startsWith("  </FUNCTION_BLOCK>")) {
      current = -1;
      continue;
    }
    // Records of the function block itself: four spaces in, self-closing (sub-blocks are not);
    // a record that looks like text gets ` record string = '…'` after its `/>`.
    if (current < 0 || !line.startsWith("    <") || line.charAt(5) === " " || !line.includes("/>")) continue;
    const name = /^ {4}<([A-Za-z0-9_]+)/.exec(line)?.[1];
    if (name !== undefined && !NON_INSTRUCTION_RECORDS.has(name)) counts[current]!++;
  }
  return counts;
}
