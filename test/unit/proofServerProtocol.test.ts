/**
 * The proof server's wire format (src/cli/proofServer/protocol.ts): what the C client sends is
 * what the server reads, however the stream cuts it; malformed input is refused, never guessed.
 */
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { encodeFrame, encodeRequest, FrameReader, parseRequest, ProtocolError, serverCommands, type ClientRequest } from "../../src/cli/proofServer/protocol.js";
import { serialQueue } from "../../src/cli/proofServer/serveReplay.js";

/** Text as argv and environ may hold it: no NUL. */
const field = fc.string({ unit: "grapheme" }).map((s) => s.replaceAll("\0", ""));
const request: fc.Arbitrary<ClientRequest> = fc.record({
  command: fc.constantFrom(...serverCommands),
  cwd: field.map((s) => `/${s}`),
  umask: fc.integer({ min: 0, max: 0o777 }),
  stdoutIsTTY: fc.boolean(),
  stderrIsTTY: fc.boolean(),
  argv: fc.array(field, { maxLength: 8 }),
  env: fc.dictionary(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]*$/), field, { maxKeys: 8 }),
});

describe("requests", () => {
  test("parse what was encoded (arguments and values may hold =, newlines, anything but NUL)", () => {
    fc.assert(
      fc.property(request, (r) => {
        expect(parseRequest(encodeRequest(r))).toEqual(r);
      }),
    );
  });

  test("the C client's layout, byte for byte", () => {
    const payload = Buffer.from("LLTO-PROOF-1\0replay\0/work\x0022\x001\x000\x002\0build\0a=b\x002\0A=1\0B=x=y\0");
    expect(parseRequest(payload)).toEqual({ command: "replay", cwd: "/work", umask: 0o22, stdoutIsTTY: true, stderrIsTTY: false, argv: ["build", "a=b"], env: { A: "1", B: "x=y" } });
  });

  test("a variable given twice: the first, as getenv finds it; an entry without = is no variable", () => {
    const payload = Buffer.from("LLTO-PROOF-1\0rustc-proof\0/\x0022\x000\x000\x000\x003\0A=1\0A=2\0junk\0");
    expect(parseRequest(payload).env).toEqual({ A: "1" });
  });

  test.each([
    ["another protocol", "LLTO-PROOF-2\0replay\0/\x0022\x000\x000\x000\x000\0"],
    ["cut short", "LLTO-PROOF-1\0replay\0/\x0022\x000\x000\x002\0build\0"],
    ["no final NUL", "LLTO-PROOF-1\0replay\0/\x0022\x000\x000\x000\x000"],
    ["a count that is no number", "LLTO-PROOF-1\0replay\0/\x0022\x000\x000\0x\0"],
    ["bytes after the environment", "LLTO-PROOF-1\0replay\0/\x0022\x000\x000\x000\x000\0more\0"],
    ["an unknown command", "LLTO-PROOF-1\0rustc\0/\x0022\x000\x000\x000\x000\0"],
    ["a umask that is no octal number", "LLTO-PROOF-1\0replay\0/\x009\x000\x000\x000\x000\0"],
    ["a relative directory", "LLTO-PROOF-1\0replay\0work\x0022\x000\x000\x000\x000\0"],
  ])("refused: %s", (_, text) => {
    expect(() => parseRequest(Buffer.from(text))).toThrow(ProtocolError);
  });
});

describe("frames", () => {
  test("come out whole and in order however the stream cuts them", () => {
    const frames = fc.array(fc.record({ type: fc.constantFrom("O" as const, "E" as const, "X" as const), payload: fc.uint8Array({ maxLength: 300 }) }), { maxLength: 10 });
    fc.assert(
      fc.property(frames, fc.array(fc.nat(50), { maxLength: 20 }), (sent, cuts) => {
        const bytes = Buffer.concat(sent.map((f) => encodeFrame(f.type, Buffer.from(f.payload))));
        const reader = new FrameReader();
        const got: { type: string; payload: Uint8Array }[] = [];
        let at = 0;
        for (const cut of [...cuts, bytes.length]) {
          reader.push(bytes.subarray(at, Math.min(bytes.length, at + cut)));
          at = Math.min(bytes.length, at + cut);
          for (let f = reader.next(); f; f = reader.next()) got.push({ type: f.type, payload: new Uint8Array(f.payload) });
        }
        expect(got).toEqual(sent.map((f) => ({ type: f.type, payload: new Uint8Array(f.payload) })));
      }),
    );
  });

  test("an unknown type or an oversized length is refused", () => {
    const bad = new FrameReader();
    bad.push(Buffer.from("Z\0\0\0\0"));
    expect(() => bad.next()).toThrow(ProtocolError);
    const huge = new FrameReader();
    huge.push(Buffer.from([0x4f, 0xff, 0xff, 0xff, 0xff]));
    expect(() => huge.next()).toThrow(ProtocolError);
  });
});

test("requests run one at a time, in order, and a failure does not stop the next", async () => {
  const serially = serialQueue();
  const log: string[] = [];
  const job = (name: string, ms: number, fail = false) =>
    serially(async () => {
      log.push(`start ${name}`);
      await new Promise((r) => setTimeout(r, ms));
      log.push(`end ${name}`);
      if (fail) throw new Error(name);
      return name;
    });
  const results = await Promise.allSettled([job("a", 30, true), job("b", 5), job("c", 1)]);
  expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
  expect(results.map((r) => r.status)).toEqual(["rejected", "fulfilled", "fulfilled"]);
});
