/**
 * What a process remembers for the length of one build: a tool's version by its path, a file's
 * hash by its path, a compiler's identity. Right for a process that runs one build and exits;
 * wrong for the proof server (src/cli/proofServerMain.ts), which serves many builds in one process
 * while files and tools change between them. Every such memo is made here, and the server forgets
 * them all before each request (`forgetProcessMemos`), so that each build sees what a fresh Node
 * would. test/unit/processMemo.test.ts checks that no module keeps another map of its own.
 */
const memos: { clear(): void }[] = [];

/** A map remembered until the build ends (in the proof server: until its request ends). */
export function processMemo<K, V>(): Map<K, V> {
  const memo = new Map<K, V>();
  memos.push(memo);
  return memo;
}

/** Forgets everything every processMemo remembered (the proof server, before each request). */
export function forgetProcessMemos(): void {
  for (const memo of memos) memo.clear();
}
