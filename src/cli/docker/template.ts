/**
 * The part of Go's text/template that `docker ... --format` takes: fields
 * (`{{.State.Status}}`) and methods (`{{.Label "tier"}}`),
 * `range`/`if`/`else`/`end`, `$` and `.` and Docker's functions (json, join,
 * split, upper, lower, title, len, index, println).
 * Values print as Go's fmt %v prints them: `[a b]`, `map[k:v]`, `<nil>`.
 */

type Node =
  | { readonly kind: "text"; readonly text: string }
  | { readonly kind: "action"; readonly pipeline: string }
  | { readonly kind: "range" | "if"; readonly pipeline: string; readonly body: Node[]; readonly otherwise: Node[] };

export class TemplateError extends Error {}

/** Renders `source` with `data` as `.`; throws TemplateError in Go's words for what it cannot parse or run. */
export function renderTemplate(source: string, data: unknown): string {
  return run(parse(source), data, data);
}

function parse(source: string): Node[] {
  const tokens = source.split(/(\{\{-?\s*.*?\s*-?\}\})/s);
  const root: Node[] = [];
  const stack: { nodes: Node[]; node?: Extract<Node, { body: Node[] }>; inElse: boolean }[] = [{ nodes: root, inElse: false }];
  for (const token of tokens) {
    const top = stack[stack.length - 1]!;
    const match = /^\{\{-?\s*(.*?)\s*-?\}\}$/s.exec(token);
    if (!match) {
      if (token.includes("{{")) throw new TemplateError("template: :1: unclosed action");
      if (token) top.nodes.push({ kind: "text", text: token });
      continue;
    }
    const action = match[1]!;
    const keyword = /^(range|if|else|end)\b\s*(.*)$/s.exec(action);
    if (!keyword) {
      top.nodes.push({ kind: "action", pipeline: action });
      continue;
    }
    const [, word, rest] = keyword as unknown as [string, string, string];
    if (word === "range" || word === "if") {
      const node = { kind: word, pipeline: rest, body: [], otherwise: [] } as Extract<Node, { body: Node[] }>;
      top.nodes.push(node);
      stack.push({ nodes: node.body, node, inElse: false });
    } else if (word === "else") {
      if (!top.node || top.inElse) throw new TemplateError(`template: :1: unexpected {{else}}`);
      top.nodes = top.node.otherwise;
      top.inElse = true;
    } else {
      if (!top.node) throw new TemplateError(`template: :1: unexpected {{end}}`);
      stack.pop();
    }
  }
  if (stack.length > 1) throw new TemplateError(`template: :1: unexpected EOF`);
  return root;
}

function run(nodes: readonly Node[], dot: unknown, root: unknown): string {
  let out = "";
  for (const node of nodes) {
    if (node.kind === "text") out += node.text;
    else if (node.kind === "action") out += format(evaluate(node.pipeline, dot, root));
    else if (node.kind === "if") out += run(truthy(evaluate(node.pipeline, dot, root)) ? node.body : node.otherwise, dot, root);
    else {
      const value = evaluate(node.pipeline, dot, root);
      const items = Array.isArray(value) ? value : value && typeof value === "object" ? Object.values(value) : [];
      out += items.length ? items.map((item) => run(node.body, item, root)).join("") : run(node.otherwise, dot, root);
    }
  }
  return out;
}

/** `a | b | c`: each stage gets the previous value as its last argument. */
function evaluate(pipeline: string, dot: unknown, root: unknown): unknown {
  let value: unknown;
  let first = true;
  for (const stage of pipeline.split("|").map((s) => s.trim())) {
    const words = tokenize(stage);
    const args = words.map((w) => operand(w, dot, root));
    if (!first) args.push(value);
    const [head, ...rest] = args;
    if (typeof head === "function") value = method(words[0]!, head as (...args: unknown[]) => unknown, rest);
    else value = words.length === 1 && !FUNCTIONS[words[0]!] && first ? head : call(words[0]!, args.slice(FUNCTIONS[words[0]!] ? 1 : 0));
    first = false;
  }
  return value;
}

function tokenize(stage: string): string[] {
  return stage.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function operand(word: string, dot: unknown, root: unknown): unknown {
  if (word.startsWith('"')) return JSON.parse(word);
  if (/^-?\d+$/.test(word)) return Number(word);
  if (word === "true" || word === "false") return word === "true";
  if (word === ".") return dot;
  if (word === "$") return root;
  if (word.startsWith(".") || word.startsWith("$.")) {
    let value = word.startsWith("$") ? root : dot;
    for (const field of word.replace(/^\$/, "").split(".").slice(1)) {
      if (value === null || value === undefined || typeof value !== "object") {
        throw new TemplateError(`template: :1: executing "" at <${word}>: can't evaluate field ${field} in type ${goType(value)}`);
      }
      value = (value as Record<string, unknown>)[field];
    }
    return value;
  }
  if (FUNCTIONS[word]) return word;
  throw new TemplateError(`template: :1: function "${word}" not defined`);
}

const FUNCTIONS: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  json: (v) => JSON.stringify(v ?? null),
  join: (list, sep) => (Array.isArray(list) ? list.map(format).join(String(sep)) : format(list)),
  split: (s, sep) => String(s).split(String(sep)),
  upper: (s) => format(s).toUpperCase(),
  lower: (s) => format(s).toLowerCase(),
  title: (s) => format(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  len: (v) => (Array.isArray(v) || typeof v === "string" ? v.length : v && typeof v === "object" ? Object.keys(v).length : 0),
  index: (v, ...keys) => keys.reduce<unknown>((acc, k) => (acc && typeof acc === "object" ? (acc as Record<string, unknown>)[String(k)] : undefined), v),
  println: (...args) => `${args.map(format).join(" ")}\n`,
  print: (...args) => args.map(format).join(""),
};

function call(name: string, args: unknown[]): unknown {
  const fn = FUNCTIONS[name];
  if (!fn) throw new TemplateError(`template: :1: function "${name}" not defined`);
  return fn(...args);
}

/** A field that is a method (`{{.Label "tier"}}` on docker ps): called with the words after it. */
function method(word: string, fn: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  if (args.length !== fn.length) {
    throw new TemplateError(`template: :1: executing "" at <${word}>: wrong number of args for ${word.split(".").pop()}: want ${fn.length} got ${args.length}`);
  }
  return fn(...args);
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === "object") return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Go's %v. */
function format(value: unknown): string {
  if (value === null) return "<nil>";
  if (value === undefined) return "<no value>";
  if (Array.isArray(value)) return `[${value.map(format).join(" ")}]`;
  if (typeof value === "object") {
    return `map[${Object.keys(value)
      .sort()
      .map((k) => `${k}:${format((value as Record<string, unknown>)[k])}`)
      .join(" ")}]`;
  }
  return String(value);
}

function goType(value: unknown): string {
  if (value === null || value === undefined) return "interface {}";
  return typeof value === "string" ? "string" : typeof value === "number" ? "float64" : typeof value === "boolean" ? "bool" : "interface {}";
}
