/** Flags as users have them: one string (`pkg-config --cflags`, `$(CFLAGS)`) → argv words (pure). */

/**
 * Splits a command-line string as a POSIX shell would for the quoting pkg-config emits (single
 * and double quotes, backslash escapes); no expansion. pkg-config output is one line of words.
 */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let current = "";
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in: ${text}`);
      current += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        // Inside double quotes a backslash escapes only $ ` " \ and a newline (POSIX 2.2.3).
        if (text[i] === "\\" && i + 1 < text.length && '$`"\\\n'.includes(text[i + 1]!)) i++;
        current += text[i];
        i++;
      }
      if (i >= text.length) throw new Error(`unterminated quote in: ${text}`);
      inWord = true;
    } else if (c === "\\" && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(current);
      current = "";
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (inWord) words.push(current);
  return words;
}
