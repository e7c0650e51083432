/**
 * The JSON form of `CMD ["a", "b"]`, read as Go's encoding/json Decoder reads it: the
 * first JSON value of the text, whatever follows it ignored. A syntax error means "not
 * JSON" (the instruction falls back to its shell form); a well-formed array holding
 * anything but strings is an error of its own.
 */

export type JsonArrayResult =
  | { readonly kind: "strings"; readonly values: string[] }
  | { readonly kind: "not-strings" }
  | { readonly kind: "invalid"; readonly reason: string };

class JsonSyntaxError extends Error {}

const WS = new Set([" ", "\t", "\n", "\r"]);

class Reader {
  pos = 0;
  constructor(private readonly s: string) {}

  private fail(what: string): never {
    throw new JsonSyntaxError(`invalid character ${JSON.stringify(this.s[this.pos] ?? "EOF")} ${what}`);
  }

  skipWs(): void {
    while (this.pos < this.s.length && WS.has(this.s[this.pos]!)) this.pos++;
  }

  /** A value; strings come back as strings, anything else as a marker. */
  value(): string | { other: true } {
    this.skipWs();
    const ch = this.s[this.pos];
    if (ch === '"') return this.string();
    if (ch === "[") {
      this.array();
      return { other: true };
    }
    if (ch === "{") {
      this.object();
      return { other: true };
    }
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) {
      this.number();
      return { other: true };
    }
    for (const lit of ["true", "false", "null"]) {
      if (this.s.startsWith(lit, this.pos)) {
        this.pos += lit.length;
        return { other: true };
      }
    }
    return this.fail("looking for beginning of value");
  }

  array(): (string | { other: true })[] {
    this.pos++; // [
    const out: (string | { other: true })[] = [];
    this.skipWs();
    if (this.s[this.pos] === "]") {
      this.pos++;
      return out;
    }
    for (;;) {
      out.push(this.value());
      this.skipWs();
      const ch = this.s[this.pos];
      if (ch === ",") {
        this.pos++;
        continue;
      }
      if (ch === "]") {
        this.pos++;
        return out;
      }
      this.fail("after array element");
    }
  }

  private object(): void {
    this.pos++; // {
    this.skipWs();
    if (this.s[this.pos] === "}") {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      if (this.s[this.pos] !== '"') this.fail("looking for beginning of object key string");
      this.string();
      this.skipWs();
      if (this.s[this.pos] !== ":") this.fail("after object key");
      this.pos++;
      this.value();
      this.skipWs();
      const ch = this.s[this.pos];
      if (ch === ",") {
        this.pos++;
        continue;
      }
      if (ch === "}") {
        this.pos++;
        return;
      }
      this.fail("after object key:value pair");
    }
  }

  private number(): void {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.s.slice(this.pos));
    if (!m) this.fail("in numeric literal");
    this.pos += m[0].length;
  }

  private string(): string {
    this.pos++; // "
    let out = "";
    for (;;) {
      if (this.pos >= this.s.length) throw new JsonSyntaxError("unexpected end of JSON input");
      const ch = this.s[this.pos]!;
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch.charCodeAt(0) < 0x20) this.fail("in string literal");
      if (ch !== "\\") {
        out += ch;
        this.pos++;
        continue;
      }
      const esc = this.s[this.pos + 1];
      this.pos += 2;
      switch (esc) {
        case '"':
        case "\\":
        case "/":
          out += esc;
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case "n":
          out += "\n";
          break;
        case "r":
          out += "\r";
          break;
        case "t":
          out += "\t";
          break;
        case "u": {
          const hex = this.s.slice(this.pos, this.pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("in \\u hexadecimal character escape");
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.pos--;
          this.fail("in string escape code");
      }
    }
  }
}

/** Replaces lone surrogates with U+FFFD, as Go does when decoding `\ud800`. */
function wellFormed(s: string): string {
  return s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** Reads `text` (which must start with `[`) as the JSON form of an instruction. */
export function parseJsonArray(text: string): JsonArrayResult {
  if (!text.startsWith("[")) return { kind: "invalid", reason: `Error parsing ${JSON.stringify(text)} as a JSON array` };
  const reader = new Reader(text);
  let values: (string | { other: true })[];
  try {
    values = reader.array();
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { kind: "invalid", reason: error.message };
    throw error;
  }
  if (!values.every((v): v is string => typeof v === "string")) return { kind: "not-strings" };
  return { kind: "strings", values: values.map(wellFormed) };
}
