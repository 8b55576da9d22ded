import { execa } from "execa";
import { cliPath } from "./toolchain.js";

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm run build` first; `npm test` does) as a user would. */
export async function runCli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  const result = await execa(process.execPath, [cliPath, ...args], { cwd: options.cwd, env: { NO_COLOR: "1", ...options.env }, reject: false });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}
