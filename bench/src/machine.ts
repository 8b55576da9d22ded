import { readFile } from "node:fs/promises";
import { cpus, loadavg, release, totalmem } from "node:os";
import { run } from "./proc.js";
import type { BenchTools } from "./tools.js";

export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  loadAverage: number[];
  versions: [string, string][];
}

async function firstLine(file: string, args: string[]): Promise<string> {
  try {
    const result = await run(file, args);
    return (result.stdout || result.stderr).trim().split("\n")[0] ?? "";
  } catch {
    return "not found";
  }
}

async function osName(): Promise<string> {
  try {
    const text = await readFile("/etc/os-release", "utf8");
    return text.match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? "unknown";
  } catch {
    return "unknown";
  }
}

export async function describeMachine(tools: BenchTools): Promise<MachineInfo> {
  const llvmVersion = async (path: string) => (await run(path, ["--version"])).stdout.match(/LLVM version ([\d.]+)/)?.[1] ?? "?";
  const versions: [string, string][] = [
    ["node", process.version],
    ["rustc", await firstLine(tools.rustc, ["--version"])],
    ["rustc (hardened builds)", tools.rustcNightly ? await firstLine(tools.rustcNightly, ["--version"]) : "not installed"],
    ["clang", await firstLine(tools.clang, ["--version"])],
    ["llvm-link / opt / llc", `LLVM ${await llvmVersion(tools.llc)}`],
    ["ld.lld", await firstLine(tools.ldLld, ["--version"])],
    ["valgrind", tools.valgrind ? await firstLine(tools.valgrind, ["--version"]) : "not installed"],
  ];
  const rustcLlvm = (await run(tools.rustc, ["-vV"])).stdout.match(/^LLVM version: (.*)$/m)?.[1];
  if (rustcLlvm) versions[1]![1] += ` (LLVM ${rustcLlvm})`;
  if (tools.rustcNightly) {
    const nightlyLlvm = (await run(tools.rustcNightly, ["-vV"])).stdout.match(/^LLVM version: (.*)$/m)?.[1];
    if (nightlyLlvm) versions[2]![1] += ` (LLVM ${nightlyLlvm})`;
  }
  return {
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: await osName(),
    kernel: release(),
    loadAverage: loadavg(),
    versions,
  };
}
