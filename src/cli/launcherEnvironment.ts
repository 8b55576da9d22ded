/**
 * What the launcher (bin/local-lto) keeps from Node's own start and Node gives back.
 *
 * Node reads every certificate in NODE_EXTRA_CA_CERTS as it starts, before any of local-lto's
 * code runs (a distribution's bundle of 144 certificates: 417 M instructions, about 40 ms, five
 * times what the rest of Node's start costs; callgrind, docs/BENCHMARKS.md §5). local-lto opens
 * no TLS connection, so the launcher starts Node without it and passes it on under another name;
 * the entry points put it back before anything is started, so that rustc, clang, Cargo, make and
 * the build scripts they run see the environment the user gave.
 */
export const hiddenCaCertsVariable = "LOCAL_LTO_NODE_EXTRA_CA_CERTS";

/** Puts back what the launcher kept from Node's start (mutates `env`; a no-op without the launcher). */
export function restoreLauncherEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  const caCerts = env[hiddenCaCertsVariable];
  if (caCerts === undefined) return;
  delete env[hiddenCaCertsVariable];
  env.NODE_EXTRA_CA_CERTS = caCerts;
}
