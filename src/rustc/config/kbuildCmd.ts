/**
 * Kbuild's record of how it compiled an object: `.<name>.o.cmd` beside it, whose first line is
 * `savedcmd_<object> := <the command>` (scripts/Kbuild.include, cmd_and_fixdep; `cmd_<object>`
 * before Linux 6.3). The rustc mode compiles the kernel's helpers with that exact command line
 * (docs/INTEGRATION.md, "Kbuild"), less what chooses outputs. Pure.
 */
import { splitShellWords } from "../../process/shellWords.js";

export interface KbuildCommand {
  /** The object Kbuild made, as the file names it (relative to the tree). */
  object: string;
  /** The C source compiled. */
  source: string;
  /** The compiler's flags without the compiler, the source, `-c`, `-o …` and dependency-file flags. */
  ccArgs: string[];
}

/** Flags that choose what the compiler writes, with the number of words each takes. */
const outputFlags = new Map<string, number>([
  ["-c", 1],
  ["-o", 2],
  ["-MF", 2],
  ["-MT", 2],
  ["-MQ", 2],
  ["-MD", 1],
  ["-MMD", 1],
  ["-MP", 1],
]);

export function parseKbuildCmd(text: string): KbuildCommand {
  const line = text.split("\n").find((l) => /^(saved)?cmd_\S+ := /.test(l));
  if (!line) throw new Error("no `savedcmd_<object> := <command>` line (is this a Kbuild .cmd file?)");
  const object = line.slice(line.indexOf("_") + 1, line.indexOf(" := "));
  let words: string[];
  try {
    words = splitShellWords(line.slice(line.indexOf(" := ") + 4).replace(/\$\$/g, "$"));
  } catch (error) {
    throw new Error(`its command cannot be split into words: ${(error as Error).message}`);
  }
  // Later commands (objtool, …) follow a `;`.
  const command: string[] = [];
  for (const word of words) {
    if (word === ";") break;
    if (word.endsWith(";")) {
      command.push(word.slice(0, -1));
      break;
    }
    command.push(word);
  }
  const [, ...args] = command;
  const sources = args.filter((a) => /\.(c|S)$/.test(a) && !a.startsWith("-"));
  const source = sources.at(-1);
  if (!source) throw new Error("its command compiles no .c file");
  const ccArgs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const skip = outputFlags.get(arg);
    if (skip) {
      i += skip - 1;
      continue;
    }
    if (arg === source || /^-Wp,-M/.test(arg) || /^-o./.test(arg) || /^-MF./.test(arg)) continue;
    ccArgs.push(arg);
  }
  return { object, source, ccArgs };
}
