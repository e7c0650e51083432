/**
 * Word expansion as Dockerfile instructions do it (BuildKit's `shell` package): a small
 * POSIX-like lexer for one line of arguments, never a shell.
 *
 *   $VAR  ${VAR}              the value, "" when unset
 *   ${VAR:-word} ${VAR:+word} default / alternative when VAR is empty or unset
 *   ${VAR?word} ${VAR:?word}  an error when VAR is unset (or, with `:`, empty)
 *   '...'                     literal; "..." expands `$` and knows `\"`, `\$`, `\\`
 *   \x                        x, literally (the escape token may be ` instead)
 *
 * `processWord` gives one string (quotes removed, spaces kept); `processWords` also
 * splits at unquoted whitespace, where an unquoted expansion splits too.
 */
import { ShellWordError } from "./errors.ts";

/** Looks a variable up; undefined when it is not set (an empty value is set). */
export type EnvGetter = (name: string) => string | undefined;

export interface ShellLexOptions {
  /** `\` (the default) or `` ` ``, as the `# escape=` directive says. */
  readonly escapeToken?: string;
  /** Keep quote characters in the result instead of interpreting them. */
  readonly rawQuotes?: boolean;
  /** Keep escape tokens in the result (the escaped character is still literal). */
  readonly rawEscapes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X:-y}`). */
  readonly skipUnsetEnv?: boolean;
}

export interface ProcessResult {
  readonly word: string;
  readonly words: string[];
  /** Names of the variables the input referred to that were set. */
  readonly matched: Set<string>;
  /** Names it referred to that were not set. */
  readonly unmatched: Set<string>;
}

/** An EnvGetter over `NAME=value` strings (a later entry wins, `NAME` alone is empty). */
export function envFromList(list: readonly string[]): EnvGetter {
  const map = new Map<string, string>();
  for (const entry of list) {
    const eq = entry.indexOf("=");
    if (eq < 0) map.set(entry, "");
    else map.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return (name) => map.get(name);
}

const EOF = "";

/** Go's unicode.IsSpace. */
export function isSpace(ch: string): boolean {
  switch (ch) {
    case " ":
    case "\t":
    case "\n":
    case "\v":
    case "\f":
    case "\r":
    case "\u0085":
    case "\u00a0":
      return true;
  }
  return ch.length > 0 && ch.charCodeAt(0) > 0xff && /^\p{White_Space}$/u.test(ch);
}

const isLetter = (ch: string) => /^\p{L}$/u.test(ch);
const isDigit = (ch: string) => /^\p{Nd}$/u.test(ch);
const SPECIAL_PARAMS = new Set(["@", "*", "#", "?", "-", "$", "!", "0"]);

/** Collects the words of `processWords`: quoted text never splits, unquoted spaces do. */
class Words {
  private word = "";
  private inWord = false;
  readonly words: string[] = [];

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.word.length > 0) {
        this.words.push(this.word);
        this.word = "";
        this.inWord = false;
      }
    } else this.addRawChar(ch);
  }

  addRawChar(ch: string): void {
    this.word += ch;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  addRawString(s: string): void {
    this.word += s;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.word.length > 0) {
      this.words.push(this.word);
      this.word = "";
      this.inWord = false;
    }
    return this.words;
  }
}

/** One pass over one input: a cursor over its code points. */
class Scan {
  private readonly chars: string[];
  private pos = 0;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(
    input: string,
    private readonly env: EnvGetter,
    private readonly opts: Required<ShellLexOptions>,
  ) {
    this.chars = Array.from(input);
  }

  private peek(): string {
    return this.pos < this.chars.length ? this.chars[this.pos]! : EOF;
  }

  private next(): string {
    return this.pos < this.chars.length ? this.chars[this.pos++]! : EOF;
  }

  private getEnv(name: string): string | undefined {
    const value = this.env(name);
    if (value === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return value;
  }

  /** Reads up to `stop` (consumed) or to the end when stop is EOF. */
  processStopOn(stop: string): { word: string; words: string[] } {
    let result = "";
    const words = new Words();
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (stop !== EOF && ch === stop) {
        this.next();
        return { word: result, words: words.finish() };
      }
      if (ch === "$") {
        const value = this.processDollar();
        result += value;
        words.addString(value);
      } else if (!this.opts.rawQuotes && (ch === "'" || ch === '"')) {
        const value = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
        result += value;
        words.addRawString(value);
      } else {
        let c = this.next();
        if (c === this.opts.escapeToken) {
          if (this.opts.rawEscapes) {
            words.addRawChar(c);
            result += c;
          }
          c = this.next();
          if (c === EOF) break;
          words.addRawChar(c);
        } else words.addChar(c);
        result += c;
      }
    }
    if (stop !== EOF) throw new ShellWordError(`unexpected end of statement while looking for matching ${stop}`);
    return { word: result, words: words.finish() };
  }

  private processSingleQuote(): string {
    // Everything up to the next ' is literal; a ' cannot be escaped inside.
    this.next();
    let result = "";
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new ShellWordError("unexpected end of statement while looking for matching single-quote");
      if (ch === "'") return result;
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except `$`; the escape token only escapes `"`, `$` and itself.
    this.next();
    let result = "";
    for (;;) {
      const ch = this.peek();
      if (ch === EOF) throw new ShellWordError("unexpected end of statement while looking for matching double-quote");
      if (ch === '"') {
        this.next();
        return result;
      }
      if (ch === "$") {
        result += this.processDollar();
        continue;
      }
      let c = this.next();
      if (c === this.opts.escapeToken) {
        if (this.opts.rawEscapes) result += c;
        const after = this.peek();
        if (after === EOF) continue;
        if (after === '"' || after === "$" || after === this.opts.escapeToken) c = this.next();
      }
      result += c;
    }
  }

  private processName(): string {
    let name = "";
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === "" && isDigit(ch)) {
        // Positional parameters: all the digits.
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (name === "" && SPECIAL_PARAMS.has(ch)) return this.next();
      if (!isLetter(ch) && !isDigit(ch) && ch !== "_") break;
      name += this.next();
    }
    return name;
  }

  private stopOnBrace(): string {
    try {
      return this.processStopOn("}").word;
    } catch (error) {
      if (this.peek() === EOF) throw new ShellWordError("syntax error: missing '}'");
      throw error;
    }
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== "{") {
      const name = this.processName();
      if (name === "") return "$";
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return "$" + name;
      return value ?? "";
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new ShellWordError("syntax error: missing '}'");
    if (first === "{" || first === "}" || first === ":") throw new ShellWordError("syntax error: bad substitution");
    const name = this.processName();
    const ch = this.next();
    if (ch === "}") {
      const value = this.getEnv(name);
      if (value === undefined && this.opts.skipUnsetEnv) return `\${${name}}`;
      return value ?? "";
    }
    if (ch === "?") {
      const word = this.stopOnBrace();
      const value = this.getEnv(name);
      if (value === undefined) {
        if (this.opts.skipUnsetEnv) return `\${${name}?${word}}`;
        throw new ShellWordError(`${name}: ${word || "is not allowed to be unset"}`);
      }
      return value;
    }
    if (ch === ":") {
      const modifier = this.next();
      const word = this.stopOnBrace();
      const value = this.getEnv(name);
      const keep = () => `\${${name}:${modifier}${word}}`;
      switch (modifier) {
        case "+":
          if (value === undefined && this.opts.skipUnsetEnv) return keep();
          return value ? word : "";
        case "-":
          if (value === undefined && this.opts.skipUnsetEnv) return keep();
          return value ? value : word;
        case "?":
          if (value === undefined) {
            if (this.opts.skipUnsetEnv) return keep();
            throw new ShellWordError(`${name}: ${word || "is not allowed to be unset"}`);
          }
          if (value === "") throw new ShellWordError(`${name}: ${word || "is not allowed to be empty"}`);
          return value;
        default:
          throw new ShellWordError(`unsupported modifier (${modifier}) in substitution`);
      }
    }
    throw new ShellWordError("missing ':' in substitution");
  }
}

/** The word lexer; one instance per escape token and mode, reusable. */
export class ShellLex {
  private readonly opts: Required<ShellLexOptions>;

  constructor(options: ShellLexOptions = {}) {
    const escapeToken = options.escapeToken ?? "\\";
    if (escapeToken !== "\\" && escapeToken !== "`") throw new ShellWordError(`invalid escape token '${escapeToken}' does not match \` or \\`);
    this.opts = {
      escapeToken,
      rawQuotes: options.rawQuotes ?? false,
      rawEscapes: options.rawEscapes ?? false,
      skipUnsetEnv: options.skipUnsetEnv ?? false,
    };
  }

  /** Expands and splits, reporting which variables were used. Throws ShellWordError. */
  process(input: string, env: EnvGetter): ProcessResult {
    const scan = new Scan(input, env, this.opts);
    const { word, words } = scan.processStopOn(EOF);
    return { word, words, matched: scan.matched, unmatched: scan.unmatched };
  }

  /** One word: quotes and escapes removed, variables expanded, spaces kept. */
  processWord(input: string, env: EnvGetter): string {
    return this.process(input, env).word;
  }

  /** Words split at unquoted whitespace, as an exec-form argument list. */
  processWords(input: string, env: EnvGetter): string[] {
    return this.process(input, env).words;
  }
}
