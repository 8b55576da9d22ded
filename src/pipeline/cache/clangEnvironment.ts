/**
 * Environment variables that change what clang reads or writes (clang/lib/Driver, Frontend): part
 * of a cached helper compile's key (helperCache.ts) and of a repeated build's (replayEntry.ts).
 */
export const CLANG_ENVIRONMENT = [
  "CPATH",
  "C_INCLUDE_PATH",
  "CPLUS_INCLUDE_PATH",
  "OBJC_INCLUDE_PATH",
  "SOURCE_DATE_EPOCH",
  "CCC_OVERRIDE_OPTIONS",
  "COMPILER_PATH",
  "CLANG_CONFIG_FILE_SYSTEM_DIR",
  "CLANG_CONFIG_FILE_USER_DIR",
  "SDKROOT",
  "MACOSX_DEPLOYMENT_TARGET",
  "TMPDIR",
] as const;
