/**
 * A rustc command line, read the way rustc reads it (rustc 1.95 `rustc --help -v`): what it
 * compiles, what it writes where, and the flags that matter to local-lto. Pure: argv in, facts out;
 * nothing is resolved against the file system.
 */

export type EmitKind = "asm" | "llvm-bc" | "llvm-ir" | "obj" | "metadata" | "link" | "dep-info" | "mir";

export interface EmitRequest {
  kind: string;
  /** `--emit=obj=path`: the file rustc writes for this kind. */
  path?: string;
}

export interface RustcInvocation {
  /** Every argument as given (rustc gets exactly these, plus the plugin's). */
  argv: readonly string[];
  /** The source file; `-` is standard input; undefined: nothing to compile (`-vV`, `--print` alone). */
  input?: string;
  crateName?: string;
  /** `--crate-type` values in order, comma lists split; empty when none was given. */
  crateTypes: string[];
  /** `--emit` requests in order; empty when none was given (rustc then emits `link`). */
  emit: EmitRequest[];
  /** `-o` */
  output?: string;
  outDir?: string;
  target?: string;
  /** `-C key[=value]` in order, from every spelling (`-Ckey=v`, `-C key=v`, `--codegen key=v`). */
  codegen: [string, string | undefined][];
  /** `-Z key[=value]` in order. */
  unstable: [string, string | undefined][];
  /** `--print` requests. */
  print: string[];
  /** `-V`, `-vV`, `--version`, `-h`, `--help`, `--explain`, `-C help`, `-Z help`, `-W help`. */
  informational: boolean;
  errorFormat?: string;
  json?: string;
  /** `-O` */
  optimize: boolean;
  /** `--cfg` values, as given (`MODULE`, `feature="std"`). */
  cfgs: string[];
}

/** Options whose value is the next argument when not written `--opt=value` (rustc 1.95). */
const takesValue = new Set([
  "-L", "-l", "--crate-type", "--crate-name", "--edition", "--emit", "--print", "-o", "--out-dir", "--explain", "--target",
  "-A", "-W", "-D", "-F", "--force-warn", "--cap-lints", "-C", "--codegen", "-Z", "--extern", "--sysroot", "--error-format",
  "--json", "--color", "--diagnostic-width", "--remap-path-prefix", "--cfg", "--check-cfg", "--env-set", "--extern-location", "--crate-attr",
]);

const longValue = /^(--[a-z-]+)=(.*)$/s;

function splitKeyValue(body: string): [string, string | undefined] {
  const eq = body.indexOf("=");
  return eq < 0 ? [body, undefined] : [body.slice(0, eq), body.slice(eq + 1)];
}

function parseEmit(value: string): EmitRequest[] {
  return value
    .split(",")
    .filter(Boolean)
    .map((part) => {
      const eq = part.indexOf("=");
      return eq < 0 ? { kind: part } : { kind: part.slice(0, eq), path: part.slice(eq + 1) };
    });
}

export function parseRustcArgs(argv: readonly string[]): RustcInvocation {
  const inv: RustcInvocation = { argv, crateTypes: [], emit: [], codegen: [], unstable: [], print: [], informational: false, optimize: false, cfgs: [] };
  const apply = (option: string, value: string) => {
    switch (option) {
      case "--crate-type":
        inv.crateTypes.push(...value.split(",").filter(Boolean));
        break;
      case "--crate-name":
        inv.crateName = value;
        break;
      case "--emit":
        inv.emit.push(...parseEmit(value));
        break;
      case "--print":
        inv.print.push(value);
        break;
      case "-o":
        inv.output = value;
        break;
      case "--out-dir":
        inv.outDir = value;
        break;
      case "--target":
        inv.target = value;
        break;
      case "-C":
      case "--codegen":
        if (value === "help") inv.informational = true;
        else inv.codegen.push(splitKeyValue(value));
        break;
      case "-Z":
        if (value === "help") inv.informational = true;
        else inv.unstable.push(splitKeyValue(value));
        break;
      case "-W":
        if (value === "help") inv.informational = true;
        break;
      case "--explain":
        inv.informational = true;
        break;
      case "--cfg":
        inv.cfgs.push(value);
        break;
      case "--error-format":
        inv.errorFormat = value;
        break;
      case "--json":
        inv.json = inv.json ? `${inv.json},${value}` : value;
        break;
    }
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-V" || arg === "-vV" || arg === "-Vv" || arg === "--version" || arg === "-h" || arg === "--help") {
      inv.informational = true;
      continue;
    }
    if (arg === "-O") {
      inv.optimize = true;
      continue;
    }
    if (arg === "-" ) {
      inv.input = "-";
      continue;
    }
    if (takesValue.has(arg)) {
      const value = argv[i + 1];
      if (value === undefined) break; // rustc reports the missing value itself
      apply(arg, value);
      i++;
      continue;
    }
    const long = longValue.exec(arg);
    if (long && takesValue.has(long[1]!)) {
      apply(long[1]!, long[2]!);
      continue;
    }
    // Short options glued to their value: -Copt-level=3, -Zfoo, -obar, -Lpath, -lfoo, -Wlint …
    const short = /^-([CZoLlAWDF])(.+)$/s.exec(arg);
    if (short) {
      apply(`-${short[1]}`, short[2]!);
      continue;
    }
    if (arg.startsWith("-")) continue; // a flag without a value (-g, -v, --test, …)
    inv.input = arg;
  }
  return inv;
}

/** The last value of `-C key`, as rustc takes it (later flags win). */
export function codegenValue(inv: Pick<RustcInvocation, "codegen">, key: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of inv.codegen) if (k === key) value = v ?? "";
  return value;
}

export function unstableValue(inv: Pick<RustcInvocation, "unstable">, key: string): string | undefined {
  let value: string | undefined;
  for (const [k, v] of inv.unstable) if (k === key) value = v ?? "";
  return value;
}

/** The kinds rustc emits: `--emit` as given, else `link`. */
export function emitKinds(inv: Pick<RustcInvocation, "emit">): string[] {
  return inv.emit.length ? [...new Set(inv.emit.map((e) => e.kind))] : ["link"];
}

/** rustc's spelling of a yes/no codegen value (`-C lto`, `-C lto=yes`, `-C lto=off` …). */
export function isNo(value: string | undefined): boolean {
  return value !== undefined && ["no", "n", "off", "false"].includes(value);
}

/** The effective optimisation level: `-O` is 3 since Rust 1.86; `-C opt-level` otherwise, default 0. */
export function optLevel(inv: Pick<RustcInvocation, "codegen" | "optimize">): string {
  return codegenValue(inv, "opt-level") ?? (inv.optimize ? "3" : "0");
}

/** A crate name from a source path when `--crate-name` is not given: rustc uses the file stem, `-` → `_`. */
export function crateNameFromInput(input: string): string {
  const base = input.split("/").pop() ?? input;
  return base.replace(/\.rs$/, "").replace(/-/g, "_");
}
