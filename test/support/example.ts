/**
 * The bundled example (examples/kernel-style): its helpers, and the program it links into
 * (main.c), built out of line or from local-lto's object, so that e2e tests compare outputs the
 * same way whatever mode or compiler made the object.
 */
import { join } from "node:path";
import { exampleDir, run } from "./toolchain.js";

export const exampleLib = join(exampleDir, "lib.rs");
export const exampleHelpersC = join(exampleDir, "helpers.c");
export const exampleMain = join(exampleDir, "main.c");

/** The helpers examples/kernel-style/helpers.c defines, sorted. */
export const exampleHelperNames = [
  "rust_helper_ERR_PTR",
  "rust_helper_INIT_LIST_HEAD",
  "rust_helper_IS_ERR",
  "rust_helper_PTR_ERR",
  "rust_helper_list_add_tail",
  "rust_helper_list_del",
  "rust_helper_list_empty",
  "rust_helper_refcount_dec_and_test",
  "rust_helper_refcount_inc",
];

/** main.c linked with `objects` by `cc` into `dir/name`, then run: its standard output. */
export function linkAndRunExample(cc: string, dir: string, name: string, objects: readonly string[]): string {
  const program = join(dir, name);
  run(cc, ["-O2", `-I${exampleDir}`, "-o", program, exampleMain, ...objects]);
  return run(program, []);
}

/**
 * The out-of-line program: `rustc -O` for the crate, `cc -O2` for the helpers, linked with main.c.
 * Its output is what every local-lto build of the example must print.
 */
export function outOfLineExampleOutput(cc: string, dir: string, rustc = "rustc"): string {
  const rustObject = join(dir, "out-of-line-rust.o");
  const helperObject = join(dir, "out-of-line-helpers.o");
  run(rustc, ["-O", "--crate-type=lib", "--emit=obj", "-o", rustObject, exampleLib]);
  run(cc, ["-O2", `-I${exampleDir}`, "-c", "-o", helperObject, exampleHelpersC]);
  return linkAndRunExample(cc, dir, "out-of-line", [rustObject, helperObject]);
}
