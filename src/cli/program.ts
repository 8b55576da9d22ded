/**
 * The command line (commander): argv → the library's options objects, and nothing else. main.ts
 * runs it; the proof server (proofServer/serveReplay.ts) parses a first build's arguments with it,
 * handing the build's options to `onBuild` instead of running it (docs/MODES.md, "The proof server").
 */
import { Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { exitCodes } from "../diagnostics/errors.js";
import { safetyCheckIds, type SafetyCheckId } from "../safety/types.js";
import { localLtoVersion } from "../version.js";
import { runBuild, type BuildCommandOptions } from "./commands/build.js";
import { replayKeyText } from "../pipeline/plugin/replayEntry.js";
import { runDemoCommand } from "./commands/demo.js";
import { runDoctor } from "./commands/doctor.js";
import { runInspect } from "./commands/inspect.js";
import { addToolOptions, toolOverridesFrom } from "./toolOptions.js";

/** Where a command line is parsed: by main (this process), or for a request the proof server serves. */
export interface ProgramContext {
  /** The stop (main's interrupt controller). */
  signal?: AbortSignal;
  /** local-lto's own arguments (without node and the script), which key a build's repeat. Default: process.argv's. */
  args?: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** What `build` does with its options; default: build and print (runBuild). */
  onBuild?: (options: BuildCommandOptions, signal?: AbortSignal) => Promise<number>;
  /** Print nothing (help, usage errors): the proof server's parse, whose caller hands anything but a build to Node. */
  quiet?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const parseThreshold = (value: string) => {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError("expected an integer");
  return Number(value);
};
const isSafetyCheck = (value: string): value is SafetyCheckId => (safetyCheckIds as readonly string[]).includes(value);

/** argv → the library's options object; no compile or link logic lives here. */
export function createProgram(context: ProgramContext = {}) {
  const { signal, onBuild = runBuild } = context;
  const env = context.env ?? process.env;
  const program = new Command("local-lto")
    .description("Inline C helpers into Rust objects without whole-program LTO, and prove it from the object")
    .version(localLtoVersion)
    .exitOverride();
  // Before the commands: they inherit it. A usage error reads as every other failure does, one
  // `error[CODE]` line and a `fix:` line (a user trial found commander's own text and the whole help).
  program.configureOutput(context.quiet ? { writeOut: () => undefined, writeErr: () => undefined } : { outputError: (text, write) => write(usageErrorText(text)) });

  const buildCommand = program
    .command("build")
    .description("build one relocatable object from a Rust crate and its C helpers")
    .argument("<rust-input>", "Rust source (.rs, compiled with rustc) or rustc bitcode (.bc)")
    .option("--helpers <file>", "C source or bitcode defining helpers (repeatable)", collect)
    .option("--helpers-config <file>", "a JSON file naming helper sources and their variants (docs/VARIANTS.md)")
    .option("--helpers-variant <name>", "the variant of --helpers-config to build with (e.g. module for -DMODULE)")
    .addOption(new Option("--helpers-debug <mode>", "helpers' debug info: keep what the flags give, or none (-g0; stripped from helper bitcode)").choices(["keep", "none"] as const).default("keep" as const))
    .option("--cache-dir <dir>", "where compiled helper bitcode and LLVM's answers about targets are cached (default: $LOCAL_LTO_CACHE_DIR, else $XDG_CACHE_HOME/local-lto)")
    .option("--no-cache", "compile .c helpers every time, without the helper bitcode cache")
    .requiredOption("-o, --output <file>", "the object to write")
    .option("--rustc-arg <flag>", "pass a flag to rustc (repeatable; write --rustc-arg=-O)", collect)
    .option("--cc-arg <flag>", "pass a flag to the C compiler for .c helpers (repeatable; write --cc-arg=-DMODULE)", collect)
    .option("--cc-args <flags>", "pass C flags given as one string, split as a shell would (repeatable; e.g. --cc-args \"$CFLAGS\")", collect)
    .option("--pkg-config <name>", "add a library's `pkg-config --cflags` to the C flags (repeatable)", collect)
    .addOption(new Option("--mode <mode>", "plugin (rustc inlines the helpers through local-lto's plugin), inline (the link path: merge, then inline and codegen), static (link helpers in, make them local), or auto: the first that can run (docs/MODES.md)").choices(["auto", "plugin", "inline", "static"] as const).default("auto" as const))
    .option("--rustc-bootstrap", "let local-lto set RUSTC_BOOTSTRAP=1 for its own rustc run only, so a stable rustc can load the plugin (env LOCAL_LTO_RUSTC_BOOTSTRAP=1)")
    .option("--cc <compiler>", "C compiler for .c helpers, in both modes (gcc, clang-19, …; static mode's default: cc)")
    .option("--linker <path>", "static mode: the linker for ld -r (GNU ld or ld.lld; default: the C compiler's)")
    .option("--allow <check>", `accept a safety check's findings (repeatable): ${safetyCheckIds.join(", ")}`, collect)
    .option("--helper-prefix <prefix>", "only functions named with this prefix are helpers (default: every function the helper inputs define)")
    .option("--helper-suffix <suffix>", "only functions named with this suffix are helpers (e.g. __extern)")
    .option("--helper-regex <regex>", "only functions whose whole name matches this regular expression are helpers")
    .option("--all-helpers", "drop the naming filters: every function the helper inputs define is a helper (the default)")
    .option("--emit-bc <file>", "also write the merged, inlined bitcode")
    .option("--report <file>", "write the report as JSON (schema: docs/REPORT.md); - for standard output")
    .option("--json", "print the report as JSON instead of a table")
    .option("--require-inlined", `fail with exit code ${exitCodes.helperCallsLeft} (and write no object) if any helper call is left, or no helper was selected`)
    .addOption(new Option("--codegen-opt-level <level>", "codegen level for bitcode Rust input").choices(["0", "1", "2", "3"] as const))
    .addOption(new Option("--codegen-backend <backend>", "inline and generate code with rustc's own rust-lld, or with opt + llc").choices(["auto", "rust-lld", "llc"] as const).default("auto" as const))
    .option("--keep-temps", "keep intermediate files (their directory is in the debug log)")
    .addOption(new Option("--reconcile <on|off>", "remove attribute differences between helpers and their Rust callers where harmless (docs/INLINING.md); off shows LLVM's raw behaviour").choices(["on", "off"] as const).default("on" as const))
    .addOption(new Option("--null-pointer-policy <policy>", "null_pointer_is_valid on helpers whose body it affects: caller (mark the Rust callers too; default), keep (explain), drop (from the helpers)").choices(["keep", "caller", "drop"] as const).default("caller" as const))
    .option("--inline-threshold <n>", "the inliner's threshold for helper calls (default: -Cllvm-args=-inline-threshold=N given to rustc, else LLVM's 225; helpers count as inline functions: 325)", parseThreshold)
    .option("--explain", "explain every helper call site (inlined or not) under the table, checked against LLVM's remarks");
  addToolOptions(buildCommand).action(async (rustInput, opts) => {
    const allow = opts.allow ?? [];
    const unknown = allow.find((check: string) => !isSafetyCheck(check));
    process.exitCode = await onBuild(
      {
        rustInput,
        helperInputs: opts.helpers ?? [],
        helpersConfig: opts.helpersConfig,
        helpersVariant: opts.helpersVariant,
        helpersDebug: opts.helpersDebug,
        cacheDir: opts.cacheDir,
        helperCache: opts.cache,
        output: opts.output,
        rustcArgs: opts.rustcArg ?? [],
        ccArgs: opts.ccArg ?? [],
        ccArgStrings: opts.ccArgs ?? [],
        pkgConfig: opts.pkgConfig ?? [],
        helperPrefix: opts.helperPrefix,
        helperSuffix: opts.helperSuffix,
        helperPattern: opts.helperRegex,
        allHelperFunctions: opts.allHelpers === true,
        emitBitcode: opts.emitBc,
        reportPath: opts.report,
        json: opts.json === true,
        requireInlined: opts.requireInlined === true,
        codegenOptLevel: opts.codegenOptLevel,
        codegenBackend: opts.codegenBackend,
        keepTemps: opts.keepTemps === true,
        tools: toolOverridesFrom(opts),
        mode: opts.mode,
        rustcBootstrap: opts.rustcBootstrap === true ? true : undefined,
        cc: opts.cc,
        linker: opts.linker,
        // An unknown check id is passed on so the library's one message reports it.
        allow: unknown ? [unknown as SafetyCheckId] : allow.filter(isSafetyCheck),
        reconcile: opts.reconcile,
        nullPointerPolicy: opts.nullPointerPolicy,
        inlineThreshold: opts.inlineThreshold,
        explain: opts.explain === true,
        // The launcher's key for this command line: a plugin-path build leaves an entry under it,
        // and a repeat started from one says so (src/pipeline/plugin/replayEntry.ts).
        // Only under the launcher (bin/local-lto), the only reader of the entries: run directly,
        // Node leaves none.
        replay: env.LOCAL_LTO_VIA_LAUNCHER ? { keyText: replayKeyText(env.LOCAL_LTO_LAUNCH_PWD || (context.cwd ?? process.cwd()), context.args ?? process.argv.slice(2), env) } : undefined,
      },
      signal,
    );
  });

  program
    .command("inspect")
    .description("report helper calls left and helper symbol states in any ELF object")
    .argument("<object>", "relocatable ELF object")
    .option("--helper-prefix <prefix>", "helpers are the symbols named with this prefix", "rust_helper_")
    .option("--helper <name>", "check this symbol (repeatable; overrides the prefix)", collect)
    .option("--json", "print the report as JSON")
    .option("--report <file>", "write the report as JSON")
    .option("--require-inlined", `exit ${exitCodes.helperCallsLeft} if any helper call is left`)
    .action(async (object, opts) => {
      process.exitCode = await runInspect({
        object,
        helperPrefix: opts.helperPrefix,
        helperNames: opts.helper,
        json: opts.json === true,
        reportPath: opts.report,
        requireInlined: opts.requireInlined === true,
      });
    });

  addToolOptions(program.command("doctor").description("find rustc, clang and the LLVM tools, and check their versions fit together")).action(async (opts) => {
    process.exitCode = await runDoctor(toolOverridesFrom(opts));
  });

  // rustc and cargo take their tools' own arguments: main() runs them before commander parses anything; these are for --help.
  program.command("rustc").description("run rustc with the helpers inlined where a crate calls them (Make, Kbuild; docs/INTEGRATION.md)").argument("[rustc-args...]").helpOption(false);
  program.command("cargo").description("run cargo with local-lto as its workspace wrapper, then print the build's summary").argument("[cargo-args...]").helpOption(false);
  program
    .command("report")
    .description("print the last build's report from a target directory's local-lto/report.jsonl")
    .argument("[target-dir]", "Cargo's target directory (default: cargo metadata's, else ./target)")
    .option("--json", "print the report's lines as JSON")
    .action(async (targetDir, opts) => {
      const { runReportCommand } = await import("./commands/cargo.js");
      process.exitCode = await runReportCommand({ targetDir, json: opts.json === true });
    });

  program
    .command("demo")
    .description("build the bundled example out of line and with local-lto, run both, and compare")
    .action(async () => {
      process.exitCode = await runDemoCommand();
    });

  return program;
}

/** Commander's `error: unknown option '--x'` as local-lto's LLTO_USAGE diagnostic (exit 2, main.ts). */
export function usageErrorText(commanderText: string): string {
  const message = commanderText.replace(/^error: /, "").trim();
  return `error[LLTO_USAGE]: ${message}\n  fix: see \`local-lto --help\`, or \`local-lto <command> --help\` for a command's options\n`;
}
