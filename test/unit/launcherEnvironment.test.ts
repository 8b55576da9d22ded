import { describe, expect, test } from "vitest";
import { hiddenCaCertsVariable, restoreLauncherEnvironment } from "../../src/cli/launcherEnvironment.js";

describe("restoreLauncherEnvironment: what the launcher kept from Node's start goes back", () => {
  test("the certificate file the user named is NODE_EXTRA_CA_CERTS again, and the launcher's name is gone", () => {
    const env: NodeJS.ProcessEnv = { [hiddenCaCertsVariable]: "/etc/ssl/certs/ca-certificates.crt", PATH: "/bin" };
    restoreLauncherEnvironment(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/etc/ssl/certs/ca-certificates.crt", PATH: "/bin" });
  });

  test("without the launcher (node started directly, or no such variable) nothing changes", () => {
    const env: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: "/x.pem", PATH: "/bin" };
    restoreLauncherEnvironment(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: "/x.pem", PATH: "/bin" });
    const none: NodeJS.ProcessEnv = { PATH: "/bin" };
    restoreLauncherEnvironment(none);
    expect(none).toEqual({ PATH: "/bin" });
  });
});
