/**
 * Dockerfile text -> a plain node tree, the first of BuildKit's three steps (parser,
 * instructions, build plan). The tree keeps each instruction's original text and lines:
 *
 *   root
 *    ├─ FROM   next: "alpine" -> "AS" -> "base"                 lines 1-1
 *    ├─ RUN    next: "apk add x" (shell form)                   lines 2-4
 *    ├─ CMD    next: "sh" -> "-c" -> "x"  attributes {json}     lines 5-5
 *    └─ ONBUILD next: (children: [RUN ...])
 *
 * What happens here: parser directives (`# syntax=`, `# escape=`) at the top, comments,
 * line continuations (the escape token ending a line), heredocs (`RUN <<EOF`), `--flags`
 * split off, and each instruction's arguments cut the way its instruction wants (JSON or
 * shell form, `name=value` pairs, whitespace lists). No variable is expanded here.
 * `dump` prints the tree as BuildKit's `Node.Dump` does, the format of its test data.
 */
import { DockerfileError, withRange, type LineRange } from "./errors.ts";
import { parseJsonArray } from "./json-array.ts";
import { isSpace, ShellLex } from "./shell-lex.ts";

export interface Heredoc {
  /** The terminator word, quotes removed. */
  readonly name: string;
  /** The lines between the instruction and the terminator, each with its newline. */
  content: string;
  /** False when the name was quoted (`<<"EOF"`): no variable expansion in the content. */
  readonly expand: boolean;
  /** `<<-EOF`: leading tabs are stripped from the content and the terminator. */
  readonly chomp: boolean;
  /** `3<<EOF` feeds descriptor 3; 0 by default. */
  readonly fileDescriptor: number;
}

export interface Node {
  /** The instruction keyword as written (e.g. "from", "RUN"), or an argument. */
  value: string;
  /** The next argument. */
  next?: Node;
  /** Nested instructions (the ONBUILD trigger). */
  children: Node[];
  /** `--flag=value` words given before the arguments. */
  flags: string[];
  /** `json: true` for the JSON (exec) form. */
  attributes: { json?: boolean };
  /** The logical line, continuations joined. */
  original: string;
  /** Comments directly above the instruction. */
  prevComments: string[];
  heredocs: Heredoc[];
  startLine: number;
  endLine: number;
}

export interface Directive {
  readonly name: "escape" | "syntax" | "check";
  readonly value: string;
  readonly line: number;
}

export interface ParseWarning {
  readonly short: string;
  readonly detail: string;
  readonly range: LineRange;
}

export interface ParseResult {
  readonly ast: Node;
  readonly directives: Directive[];
  readonly warnings: ParseWarning[];
  readonly escapeToken: string;
}

function newNode(value = "", next?: Node): Node {
  const node: Node = { value, children: [], flags: [], attributes: {}, original: "", prevComments: [], heredocs: [], startLine: 0, endLine: 0 };
  if (next) node.next = next;
  return node;
}

/** A chain of argument nodes. */
function chain(values: readonly string[]): Node | undefined {
  let head: Node | undefined;
  for (let i = values.length - 1; i >= 0; i--) head = newNode(values[i], head);
  return head;
}

/** The argument values after the keyword. */
export function nodeValues(node: Node): string[] {
  const out: string[] = [];
  for (let n = node.next; n; n = n.next) out.push(n.value);
  return out;
}

// ---------------------------------------------------------------------------------
// Directives

const DIRECTIVE = /^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$/;
const KNOWN_DIRECTIVES = new Set(["escape", "syntax", "check"]);

class DirectiveParser {
  private done = false;
  private readonly seen = new Set<string>();
  readonly found: Directive[] = [];

  /** Looks at one line while the file still starts with directives. */
  line(text: string, line: number): Directive | undefined {
    if (this.done) return undefined;
    const m = DIRECTIVE.exec(text);
    const name = m?.[1]?.toLowerCase();
    if (!m || !name || !KNOWN_DIRECTIVES.has(name)) {
      this.done = true;
      return undefined;
    }
    if (this.seen.has(name)) throw new Error(`only one ${name} parser directive can be used`);
    this.seen.add(name);
    const directive: Directive = { name: name as Directive["name"], value: m[2]!, line };
    this.found.push(directive);
    return directive;
  }
}

// ---------------------------------------------------------------------------------
// Helpers on lines

const WHITESPACE = /[\t\v\f\r ]+/;

function trimNewline(line: string): string {
  if (line.endsWith("\r\n")) return line.slice(0, -2);
  if (line.endsWith("\n")) return line.slice(0, -1);
  return line;
}

function trimLeadingSpace(s: string): string {
  let i = 0;
  const chars = Array.from(s);
  while (i < chars.length && isSpace(chars[i]!)) i++;
  return chars.slice(i).join("");
}

/** Go's strings.TrimSpace. */
function trimSpace(s: string): string {
  const chars = Array.from(s);
  let a = 0;
  let b = chars.length;
  while (a < b && isSpace(chars[a]!)) a++;
  while (b > a && isSpace(chars[b - 1]!)) b--;
  return chars.slice(a, b).join("");
}

function isComment(line: string): boolean {
  return trimLeadingSpace(trimNewline(line)).startsWith("#");
}

function isEmptyContinuationLine(line: string): boolean {
  return trimLeadingSpace(trimNewline(line)) === "";
}

/**
 * A line continues when it ends with the escape token (spaces and tabs after it
 * allowed) that is not itself escaped: `a \` continues, `a \\` does not.
 */
function trimContinuation(line: string, escape: string): { line: string; continues: boolean } {
  let end = line.length;
  while (end > 0 && (line[end - 1] === " " || line[end - 1] === "\t")) end--;
  let count = 0;
  while (end - count > 0 && line[end - count - 1] === escape) count++;
  if (count % 2 === 1) return { line: line.slice(0, end - 1), continues: true };
  return { line, continues: false };
}

/** Splits text into lines that keep their "\n", as BuildKit's scanner does. */
function scanLines(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf("\n", start);
    if (nl < 0) {
      if (start < text.length) out.push(text.slice(start));
      return out;
    }
    out.push(text.slice(start, nl + 1));
    start = nl + 1;
  }
}

// ---------------------------------------------------------------------------------
// Argument parsers, one per instruction

type ArgParser = (rest: string, ctx: Context) => { next?: Node; json?: boolean };

interface Context {
  escapeToken: string;
}

/**
 * Words as the line has them, quotes and escapes kept (they are removed later, when
 * the instruction expands its words): `a "b c" d\ e` -> [a, "b c", d\ e].
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase: "spaces" | "word" | "quote" = "spaces";
  let word = "";
  let quote = "";
  let blankOK = false;
  for (let pos = 0; pos <= chars.length; pos++) {
    let ch = pos < chars.length ? chars[pos]! : "";
    if (phase === "spaces") {
      if (pos === chars.length) break;
      if (isSpace(ch)) continue;
      phase = "word";
    }
    if (pos === chars.length) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === "word") {
      if (isSpace(ch)) {
        phase = "spaces";
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = "quote";
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue; // an escape at the very end is dropped
        word += ch;
        pos++;
        ch = chars[pos]!;
      }
      word += ch;
      continue;
    }
    // In quotes: the escape token works except inside '...'.
    if (ch === quote) phase = "word";
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = "word";
        continue;
      }
      pos++;
      word += ch;
      ch = chars[pos]!;
    }
    word += ch;
  }
  return words;
}

const parseIgnore: ArgParser = () => ({ next: newNode() });

const parseString: ArgParser = (rest) => (rest === "" ? {} : { next: newNode(rest) });

const parseStringsWhitespaceDelimited: ArgParser = (rest) => (rest === "" ? {} : { next: chain(rest.split(WHITESPACE)) });

function parseJson(rest: string): { ok: true; next?: Node } | { ok: false } {
  const result = parseJsonArray(trimLeadingSpace(rest));
  if (result.kind === "not-strings") throw new Error("when using JSON array syntax, arrays must be comprised of strings only");
  if (result.kind === "invalid") return { ok: false };
  const next = chain(result.values);
  return next ? { ok: true, next } : { ok: true };
}

const parseMaybeJson: ArgParser = (rest) => {
  if (rest === "") return {};
  const json = parseJson(rest);
  if (json.ok) return { next: json.next, json: true };
  return { next: newNode(rest) };
};

const parseMaybeJsonToList: ArgParser = (rest, ctx) => {
  const json = parseJson(rest);
  if (json.ok) return { next: json.next, json: true };
  return parseStringsWhitespaceDelimited(rest, ctx);
};

/** `KEY name value` (old form, one pair) or `KEY a=b c="d e"` (any number of pairs). */
function parseNameVal(rest: string, key: string, ctx: Context): Node | undefined {
  const words = parseWords(rest, ctx.escapeToken);
  if (words.length === 0) return undefined;
  const keyValue = (k: string, v: string, sep: string) => newNode(k, newNode(v, newNode(sep)));
  if (!words[0]!.includes("=")) {
    const m = WHITESPACE.exec(rest);
    if (!m) throw new Error(`${key} must have two arguments`);
    return keyValue(rest.slice(0, m.index), rest.slice(m.index + m[0].length), "");
  }
  const nodes = words.map((word) => {
    const eq = word.indexOf("=");
    if (eq < 0) throw new Error(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    return keyValue(word.slice(0, eq), word.slice(eq + 1), "=");
  });
  for (let i = 0; i + 1 < nodes.length; i++) nodes[i]!.next!.next!.next = nodes[i + 1];
  return nodes[0];
}

const parseEnv: ArgParser = (rest, ctx) => ({ next: parseNameVal(rest, "ENV", ctx) });
const parseLabel: ArgParser = (rest, ctx) => ({ next: parseNameVal(rest, "LABEL", ctx) });

/** ARG a b=c: each word is a name or name=value. */
const parseNameOrNameVal: ArgParser = (rest, ctx) => ({ next: chain(parseWords(rest, ctx.escapeToken)) });

/** HEALTHCHECK [--flags] TYPE [cmd...]: the type, then CMD's arguments. */
const parseHealthConfig: ArgParser = (rest, ctx) => {
  const m = /^\S+/u.exec(rest);
  const typ = m && !isSpace(rest[0]!) ? m[0] : "";
  if (typ === "") return {};
  const cmd = parseMaybeJson(trimLeadingSpace(rest.slice(typ.length)), ctx);
  return { next: newNode(typ, cmd.next), json: cmd.json };
};

const parseSubCommand: ArgParser = (rest, ctx) => {
  if (rest === "") return {};
  const child = nodeFromLine(rest, ctx, []);
  const holder = newNode();
  holder.children.push(child);
  return { next: holder };
};

const DISPATCH: Record<string, ArgParser> = {
  add: parseMaybeJsonToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: parseEnv,
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: parseLabel,
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJsonToList,
  workdir: parseString,
};

/**
 * Leading `--name=value` words of an instruction (quotes and `\` interpreted), up to
 * the first word not starting with `--` or a bare `--`. Like BuildKit, works on bytes.
 */
export function extractBuilderFlags(line: string): { rest: string; flags: string[] } {
  const bytes = new TextEncoder().encode(line);
  const restAt = (pos: number) => new TextDecoder().decode(bytes.subarray(pos));
  const words: string[] = [];
  let phase: "spaces" | "word" | "quote" = "spaces";
  let word = "";
  let quote = 0;
  let blankOK = false;
  const byteIsSpace = (b: number) => (b >= 9 && b <= 13) || b === 32 || b === 0x85 || b === 0xa0;
  for (let pos = 0; pos <= bytes.length; pos++) {
    let ch = pos < bytes.length ? bytes[pos]! : 0;
    if (phase === "spaces") {
      if (pos === bytes.length) break;
      if (byteIsSpace(ch)) continue;
      if (ch !== 0x2d || pos + 1 === bytes.length || bytes[pos + 1] !== 0x2d) return { rest: restAt(pos), flags: words };
      phase = "word";
    }
    if (pos === bytes.length) {
      if (word !== "--" && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === "word") {
      if (byteIsSpace(ch)) {
        phase = "spaces";
        if (word === "--") return { rest: restAt(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = "";
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = "quote";
        continue;
      }
      if (ch === 0x5c) {
        if (pos + 1 === bytes.length) continue;
        pos++;
        ch = bytes[pos]!;
      }
      word += String.fromCharCode(ch);
      continue;
    }
    if (ch === quote) {
      phase = "word";
      continue;
    }
    if (ch === 0x5c) {
      if (pos + 1 === bytes.length) {
        phase = "word";
        continue;
      }
      pos++;
      ch = bytes[pos]!;
    }
    word += String.fromCharCode(ch);
  }
  // Flags are ASCII in practice; re-read other bytes as UTF-8.
  return { rest: "", flags: words.map(latin1ToUtf8) };
}

function latin1ToUtf8(s: string): string {
  if (!/[\u0080-\u00ff]/.test(s)) return s;
  return new TextDecoder().decode(Uint8Array.from(s, (c) => c.charCodeAt(0)));
}

function splitCommand(line: string): { cmd: string; flags: string[]; args: string } {
  const trimmed = trimSpace(line);
  const m = WHITESPACE.exec(trimmed);
  if (!m) return { cmd: trimmed, flags: [], args: "" };
  const { rest, flags } = extractBuilderFlags(trimmed.slice(m.index + m[0].length));
  return { cmd: trimmed.slice(0, m.index), flags, args: trimSpace(rest) };
}

function nodeFromLine(line: string, ctx: Context, comments: string[]): Node {
  const { cmd, flags, args } = splitCommand(line);
  const parse = DISPATCH[cmd.toLowerCase()] ?? parseIgnore;
  const { next, json } = parse(args, ctx);
  const node = newNode(cmd, next);
  node.original = line;
  node.flags = flags;
  if (json) node.attributes.json = true;
  node.prevComments = comments;
  return node;
}

// ---------------------------------------------------------------------------------
// Heredocs

const HEREDOC = /^(\d*)<<(-?)([^<]*)$/;
const HEREDOC_INSTRUCTIONS = new Set(["add", "copy", "run"]);

function canContainHeredoc(node: Node): boolean {
  let n = node;
  if (n.value.toLowerCase() === "onbuild" && n.next && n.next.children.length > 0) n = n.next.children[0]!;
  return HEREDOC_INSTRUCTIONS.has(n.value.toLowerCase()) && !n.attributes.json;
}

const noEnv = () => undefined;

/** `<<EOF`, `<<-"EOF"`, `3<<EOF` as one word; undefined when the word is none. */
export function parseHeredoc(word: string): Omit<Heredoc, "content"> | undefined {
  const m = HEREDOC.exec(word);
  if (!m || m[3] === "") return undefined;
  const rest = m[3]!;
  // The name is quoted (no expansion) if lexing with and without quotes differ.
  const words = new ShellLex({ skipUnsetEnv: true }).processWords(rest, noEnv);
  const raw = new ShellLex({ skipUnsetEnv: true, rawQuotes: true }).processWords(rest, noEnv);
  if (words.length !== 1 || raw.length !== 1) throw new Error("internal lexing error");
  const quotes = (s: string) => s.split("").filter((c) => c === "'" || c === '"').length;
  return {
    name: words[0]!,
    expand: quotes(words[0]!) === quotes(raw[0]!),
    chomp: m[2] === "-",
    fileDescriptor: m[1] ? Number(m[1]) : 0,
  };
}

function heredocsFromLine(line: string): Omit<Heredoc, "content">[] {
  let words: string[];
  try {
    words = new ShellLex({ rawQuotes: true, rawEscapes: true }).processWords(line, noEnv);
  } catch {
    return []; // BuildKit ignores lexing errors here: no heredocs
  }
  return words.flatMap((w) => parseHeredoc(w) ?? []);
}

// ---------------------------------------------------------------------------------
// The parser

/** Parses a whole Dockerfile. Throws DockerfileError (with the lines) on bad input. */
export function parse(source: string): ParseResult {
  const directives = new DirectiveParser();
  const ctx: Context = { escapeToken: "\\" };
  const warnings: ParseWarning[] = [];
  const root = newNode();
  root.startLine = -1;
  const lines = scanLines(source.startsWith("\ufeff") ? source.slice(1) : source);
  let i = 0;
  let currentLine = 0;
  let comments: string[] = [];

  /** Strips the newline (and left space), notes directives, blanks comment lines. */
  const processLine = (raw: string, stripLeft: boolean): string => {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeadingSpace(token);
    try {
      const directive = directives.line(token, currentLine + 1);
      if (directive?.name === "escape") {
        if (directive.value !== "`" && directive.value !== "\\") throw new Error(`invalid escape token '${directive.value}' does not match \` or \\`);
        ctx.escapeToken = directive.value;
      }
    } catch (error) {
      throw withRange(error, { start: currentLine + 1, end: currentLine + 1 });
    }
    return isComment(token) ? "" : token;
  };

  while (i < lines.length) {
    const raw = lines[i++]!;
    if (isComment(raw)) {
      const comment = trimSpace(trimLeadingSpace(trimNewline(raw)).slice(1));
      comments = comment === "" ? [] : [...comments, comment];
    }
    const first = processLine(raw, true);
    currentLine++;
    const startLine = currentLine;
    let { line, continues } = trimContinuation(first, ctx.escapeToken);
    if (!continues && line === "") continue;

    let emptyContinuation = false;
    while (continues && i < lines.length) {
      const next = lines[i++]!;
      const processed = processLine(next, false);
      currentLine++;
      if (isComment(next)) continue;
      if (isEmptyContinuationLine(processed)) {
        emptyContinuation = true;
        continue;
      }
      const t = trimContinuation(processed, ctx.escapeToken);
      line += t.line;
      continues = t.continues;
    }
    if (emptyContinuation) {
      warnings.push({
        short: `Empty continuation line found in: ${line}`,
        detail: "Empty continuation lines will become errors in a future release",
        range: { start: currentLine, end: currentLine },
      });
    }

    const range = { start: startLine, end: currentLine };
    let child: Node;
    try {
      child = nodeFromLine(line, ctx, comments);
    } catch (error) {
      throw withRange(error, range);
    }

    if (canContainHeredoc(child) && line.includes("<<")) {
      let heredocs: Omit<Heredoc, "content">[];
      try {
        heredocs = heredocsFromLine(line);
      } catch (error) {
        throw withRange(error, range);
      }
      for (const doc of heredocs) {
        let content = "";
        let terminated = false;
        while (i < lines.length) {
          const body = lines[i++]!;
          currentLine++;
          let candidate = trimNewline(body);
          if (doc.chomp) candidate = candidate.replace(/^\t+/, "");
          if (candidate === doc.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) throw new DockerfileError("parse", "unterminated heredoc", { start: startLine, end: currentLine });
        child.heredocs.push({ ...doc, content });
      }
    }

    child.startLine = startLine;
    child.endLine = currentLine;
    if (root.startLine < 0) root.startLine = startLine;
    root.endLine = currentLine;
    root.children.push(child);
    comments = [];
  }
  if (root.startLine < 0) throw new DockerfileError("parse", "file with no instructions", { start: currentLine, end: currentLine });
  return { ast: root, directives: directives.found, warnings, escapeToken: ctx.escapeToken };
}

// ---------------------------------------------------------------------------------
// Dump

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Go's strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === "\\") out += "\\" + ch;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += "\\ufffd";
    else if (PRINTABLE.test(ch)) out += ch;
    else if (ch === "\x07") out += "\\a";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\v") out += "\\v";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (cp < 0x10000) out += "\\u" + cp.toString(16).padStart(4, "0");
    else out += "\\U" + cp.toString(16).padStart(8, "0");
  }
  return out + '"';
}

/** The tree as BuildKit's Node.Dump prints it: `(run "echo hi")` per instruction. */
export function dump(node: Node): string {
  let s = node.value.toLowerCase();
  if (node.flags.length > 0) s += ` [${node.flags.map(goQuote).join(" ")}]`;
  for (const child of node.children) s += "(" + dump(child) + ")\n";
  for (let n = node.next; n; n = n.next) s += " " + (n.children.length > 0 ? dump(n) : goQuote(n.value));
  return trimSpace(s);
}
