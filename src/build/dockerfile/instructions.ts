/**
 * Parser nodes -> typed instructions grouped in stages, BuildKit's second step.
 *
 *   ARG VERSION=3.19          -> metaArgs (ARGs before the first FROM)
 *   FROM alpine:$VERSION AS b -> Stage { name: "b", baseName: "alpine:$VERSION" }
 *   RUN apk add curl          ->   commands: [RunInstruction { cmdLine, prependShell }]
 *
 * Words keep their quotes and `$VAR`s here: variables take their values while the
 * builder walks a stage, so it calls `expandInstruction(ins, expand)` with an expander
 * over the environment of that moment (see `ShellLex`). Which fields expand is BuildKit's
 * choice: ENV/LABEL keys and values, ARG defaults, COPY/ADD paths and flags, WORKDIR,
 * USER, EXPOSE, VOLUME, STOPSIGNAL; FROM's base name and platform with the meta ARGs.
 * RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD are left to the shell / later.
 */
import { DockerfileError, withRange, type LineRange } from "./errors.ts";
import { InstructionFlags, parseGoDuration } from "./flags.ts";
import { parse, parseHeredoc, type Directive, type Heredoc, type Node, type ParseWarning } from "./parser.ts";

export interface KeyValuePair {
  readonly key: string;
  readonly value: string;
  /** Old form `ENV key value` (no `=`). */
  readonly noDelim: boolean;
}

export interface KeyValuePairOptional {
  readonly key: string;
  readonly value?: string;
}

interface Base {
  /** The instruction as written on its (joined) line, e.g. "RUN apk add curl". */
  readonly original: string;
  readonly range: LineRange;
  /** Flag names given, e.g. ["from", "chown"]. */
  readonly flagsUsed: readonly string[];
}

/** A file given inline by a heredoc (`RUN <<EOF`, `COPY <<EOF /dst`). */
export interface InlineFile {
  readonly name: string;
  readonly data: string;
  readonly chomp: boolean;
  readonly expand: boolean;
}

export interface EnvInstruction extends Base {
  readonly kind: "ENV";
  readonly env: KeyValuePair[];
}
export interface LabelInstruction extends Base {
  readonly kind: "LABEL";
  readonly labels: KeyValuePair[];
}
export interface MaintainerInstruction extends Base {
  readonly kind: "MAINTAINER";
  readonly maintainer: string;
}
export interface ArgInstruction extends Base {
  readonly kind: "ARG";
  readonly args: KeyValuePairOptional[];
}

/** RUN, CMD, ENTRYPOINT: an exec-form list, or one shell-form string run by SHELL. */
interface ShellDependent extends Base {
  readonly cmdLine: string[];
  /** True for the shell form: run `cmdLine[0]` with the stage's SHELL. */
  readonly prependShell: boolean;
  readonly files: InlineFile[];
}
export interface RunInstruction extends ShellDependent {
  readonly kind: "RUN";
  /** `--mount=...` values (Berth does not support them; see `checkSupported`). */
  readonly mounts: string[];
  readonly network?: string;
  readonly security?: string;
}
export interface CmdInstruction extends ShellDependent {
  readonly kind: "CMD";
}
export interface EntrypointInstruction extends ShellDependent {
  readonly kind: "ENTRYPOINT";
}

export interface SourceContent {
  /** The heredoc name, which becomes the file name. */
  readonly path: string;
  readonly data: string;
  readonly expand: boolean;
}
interface SourcesAndDest {
  readonly sourcePaths: string[];
  readonly sourceContents: SourceContent[];
  readonly destPath: string;
}
export interface CopyInstruction extends Base, SourcesAndDest {
  readonly kind: "COPY";
  readonly from?: string;
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly parents: boolean;
  readonly exclude: string[];
}
export interface AddInstruction extends Base, SourcesAndDest {
  readonly kind: "ADD";
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly keepGitDir: boolean;
  readonly checksum?: string;
  readonly unpack?: boolean;
  readonly exclude: string[];
}
export interface WorkdirInstruction extends Base {
  readonly kind: "WORKDIR";
  readonly path: string;
}
export interface UserInstruction extends Base {
  readonly kind: "USER";
  readonly user: string;
}
export interface ExposeInstruction extends Base {
  readonly kind: "EXPOSE";
  readonly ports: string[];
}
export interface VolumeInstruction extends Base {
  readonly kind: "VOLUME";
  readonly volumes: string[];
}
export interface StopSignalInstruction extends Base {
  readonly kind: "STOPSIGNAL";
  readonly signal: string;
}
export interface ShellInstruction extends Base {
  readonly kind: "SHELL";
  readonly shell: string[];
}

/** As Docker stores it in an image config; durations in nanoseconds, 0 = default. */
export interface HealthConfig {
  /** ["NONE"], ["CMD", ...argv] or ["CMD-SHELL", "cmd"]. */
  readonly test: string[];
  readonly interval: number;
  readonly timeout: number;
  readonly startPeriod: number;
  readonly startInterval: number;
  readonly retries: number;
}
export interface HealthcheckInstruction extends Base {
  readonly kind: "HEALTHCHECK";
  readonly health: HealthConfig;
}
export interface OnbuildInstruction extends Base {
  readonly kind: "ONBUILD";
  /** The trigger as written, e.g. "RUN echo hi"; parsed again when it fires. */
  readonly expression: string;
}

export type Instruction =
  | EnvInstruction
  | LabelInstruction
  | MaintainerInstruction
  | ArgInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | CopyInstruction
  | AddInstruction
  | WorkdirInstruction
  | UserInstruction
  | ExposeInstruction
  | VolumeInstruction
  | StopSignalInstruction
  | ShellInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export interface FromInstruction extends Base {
  readonly kind: "FROM";
  readonly baseName: string;
  /** Lower-cased `AS name`, if any. */
  readonly name?: string;
  readonly platform?: string;
  /** The comment above FROM, when it starts with the stage name (for docs). */
  readonly comment?: string;
}

export interface Stage {
  readonly from: FromInstruction;
  readonly name?: string;
  readonly baseName: string;
  readonly platform?: string;
  readonly commands: Instruction[];
  readonly range: LineRange;
}

export interface Dockerfile {
  readonly stages: Stage[];
  /** ARGs before the first FROM: usable in FROM lines, and in stages that redeclare them. */
  readonly metaArgs: ArgInstruction[];
  readonly escapeToken: string;
  readonly directives: Directive[];
  readonly warnings: ParseWarning[];
}

// ---------------------------------------------------------------------------------

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

const atLeastOne = (cmd: string) => new Error(`${cmd} requires at least one argument`);
const exactlyOne = (cmd: string) => new Error(`${cmd} requires exactly one argument`);

interface Request {
  readonly command: string;
  readonly args: string[];
  readonly json: boolean;
  readonly flags: InstructionFlags;
  readonly heredocs: Heredoc[];
  readonly original: string;
  readonly range: LineRange;
  readonly comments: readonly string[];
}

/** The argument values; ONBUILD's nested instruction comes out as its words. */
function nodeArgs(node: Node): string[] {
  const out: string[] = [];
  for (let n = node.next; n; n = n.next) {
    if (n.children.length === 0) out.push(n.value);
    else if (n.children.length === 1) out.push(n.children[0]!.value, ...nodeArgs(n.children[0]!));
  }
  return out;
}

function base(req: Request): Base {
  return { original: req.original, range: req.range, flagsUsed: req.flags.used };
}

function noFlags(req: Request): void {
  req.flags.parse();
}

/** Exec form as given; shell form joined into one string. */
function jsonArgs(req: Request, args = req.args): string[] {
  if (req.json) return args;
  return args.length === 0 ? [] : [args.join(" ")];
}

function kvps(args: string[], cmd: string): KeyValuePair[] {
  if (args.length === 0) throw atLeastOne(cmd);
  if (args.length % 3 !== 0) throw new Error(`Bad input to ${cmd}, too many arguments`);
  const out: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i]!;
    if (key === "") throw new Error(`${cmd} names can not be blank`);
    out.push({ key, value: args[i + 1]!, noDelim: args[i + 2] === "" });
  }
  return out;
}

function shellDependent(req: Request): Omit<ShellDependent, keyof Base> {
  return {
    cmdLine: jsonArgs(req),
    prependShell: !req.json,
    files: req.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp, expand: h.expand })),
  };
}

/** `<<-` heredoc content: leading tabs off every line. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, "");
}

function sourcesAndDest(req: Request): SourcesAndDest {
  if (req.args.length < 2) throw new Error(`${req.command.toUpperCase()} requires at least two arguments, but only one was provided. Destination could not be determined`);
  const srcs = req.args.slice(0, -1);
  const dest = req.args[req.args.length - 1]!;
  if (!req.json && parseHeredoc(dest)) throw new Error(`${req.command.toUpperCase()} cannot accept a heredoc as a destination`);
  const sourcePaths: string[] = [];
  const sourceContents: SourceContent[] = [];
  for (const src of srcs) {
    const doc = req.json ? undefined : parseHeredoc(src);
    const body = doc && req.heredocs.find((h) => h.name === doc.name && h.fileDescriptor === doc.fileDescriptor);
    if (doc && body) sourceContents.push({ path: doc.name, data: doc.chomp ? chompHeredocContent(body.content) : body.content, expand: doc.expand });
    else sourcePaths.push(src);
  }
  return { sourcePaths, sourceContents, destPath: dest };
}

function opt(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function interval(value: unknown, name: string): number {
  if (typeof value !== "string" || value === "") return 0;
  const d = parseGoDuration(value);
  if (d === 0) return 0;
  if (d < 1e6) throw new Error(`Interval ${JSON.stringify(name)} cannot be less than 1ms`);
  return d;
}

function parseHealthcheck(req: Request): HealthcheckInstruction {
  if (req.args.length === 0) throw atLeastOne("HEALTHCHECK");
  const typ = req.args[0]!.toUpperCase();
  const flags = req.flags.string("interval", "").string("timeout", "").string("start-period", "").string("start-interval", "").string("retries", "").parse();
  if (typ === "NONE") {
    if (req.args.length !== 1) throw new Error("HEALTHCHECK NONE takes no arguments");
    return { kind: "HEALTHCHECK", ...base(req), health: { test: ["NONE"], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 } };
  }
  if (typ !== "CMD") throw new Error(`Unknown type ${JSON.stringify(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = jsonArgs(req, req.args.slice(1));
  if (cmd.length === 0) throw new Error("Missing command after HEALTHCHECK CMD");
  let retries = 0;
  if (flags["retries"]) {
    const text = flags["retries"] as string;
    if (!/^[+-]?\d+$/.test(text)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
    retries = Number(text);
    if (retries < 0) throw new Error("--retries cannot be negative");
  }
  return {
    kind: "HEALTHCHECK",
    ...base(req),
    health: {
      test: [req.json ? "CMD" : "CMD-SHELL", ...cmd],
      interval: interval(flags["interval"], "interval"),
      timeout: interval(flags["timeout"], "timeout"),
      startPeriod: interval(flags["start-period"], "start-period"),
      startInterval: interval(flags["start-interval"], "start-interval"),
      retries,
    },
  };
}

function parseFrom(req: Request): FromInstruction {
  const flags = req.flags.string("platform", "").parse();
  const a = req.args;
  let name: string | undefined;
  if (a.length === 3 && a[1]!.toLowerCase() === "as") {
    name = a[2]!.toLowerCase();
    if (!STAGE_NAME.test(name)) throw new Error(`invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`);
  } else if (a.length !== 1) throw new Error("FROM requires either one or three arguments");
  const comment = name ? req.comments.find((c) => c.toLowerCase().startsWith(name + " ")) : undefined;
  return {
    kind: "FROM",
    ...base(req),
    baseName: a[0]!,
    ...(name ? { name } : {}),
    ...(opt(flags["platform"]) ? { platform: flags["platform"] as string } : {}),
    ...(comment ? { comment } : {}),
  };
}

function parseByKind(req: Request): Instruction | FromInstruction {
  const { args } = req;
  switch (req.command) {
    case "from":
      return parseFrom(req);
    case "env":
      noFlags(req);
      return { kind: "ENV", ...base(req), env: kvps(args, "ENV") };
    case "label":
      noFlags(req);
      return { kind: "LABEL", ...base(req), labels: kvps(args, "LABEL") };
    case "maintainer":
      noFlags(req);
      if (args.length !== 1) throw exactlyOne("MAINTAINER");
      return { kind: "MAINTAINER", ...base(req), maintainer: args[0]! };
    case "arg": {
      noFlags(req);
      if (args.length === 0) throw atLeastOne("ARG");
      const pairs = args.map((arg): KeyValuePairOptional => {
        const eq = arg.indexOf("=");
        if (eq < 0) return { key: arg };
        if (eq === 0) throw new Error("ARG names can not be blank");
        return { key: arg.slice(0, eq), value: arg.slice(eq + 1) };
      });
      return { kind: "ARG", ...base(req), args: pairs };
    }
    case "run": {
      const flags = req.flags.strings("mount").string("network", "").string("security", "").parse();
      if (args.length === 0) throw atLeastOne("RUN");
      return {
        kind: "RUN",
        ...base(req),
        ...shellDependent(req),
        mounts: flags["mount"] as string[],
        ...(opt(flags["network"]) ? { network: flags["network"] as string } : {}),
        ...(opt(flags["security"]) ? { security: flags["security"] as string } : {}),
      };
    }
    case "cmd":
      noFlags(req);
      return { kind: "CMD", ...base(req), ...shellDependent(req) };
    case "entrypoint":
      noFlags(req);
      return { kind: "ENTRYPOINT", ...base(req), ...shellDependent(req) };
    case "copy": {
      const flags = req.flags.string("from", "").string("chown", "").string("chmod", "").bool("link").bool("parents").strings("exclude").parse();
      return {
        kind: "COPY",
        ...base(req),
        ...sourcesAndDest(req),
        ...(opt(flags["from"]) ? { from: flags["from"] as string } : {}),
        ...(opt(flags["chown"]) ? { chown: flags["chown"] as string } : {}),
        ...(opt(flags["chmod"]) ? { chmod: flags["chmod"] as string } : {}),
        link: flags["link"] === true,
        parents: flags["parents"] === true,
        exclude: flags["exclude"] as string[],
      };
    }
    case "add": {
      const flags = req.flags.string("chown", "").string("chmod", "").bool("link").bool("keep-git-dir").string("checksum", "").string("unpack").strings("exclude").parse();
      const unpack = flags["unpack"];
      if (unpack !== undefined && unpack !== "true" && unpack !== "false") throw new Error(`expecting boolean value for flag unpack, not: ${String(unpack)}`);
      return {
        kind: "ADD",
        ...base(req),
        ...sourcesAndDest(req),
        ...(opt(flags["chown"]) ? { chown: flags["chown"] as string } : {}),
        ...(opt(flags["chmod"]) ? { chmod: flags["chmod"] as string } : {}),
        link: flags["link"] === true,
        keepGitDir: flags["keep-git-dir"] === true,
        ...(opt(flags["checksum"]) ? { checksum: flags["checksum"] as string } : {}),
        ...(unpack !== undefined ? { unpack: unpack === "true" } : {}),
        exclude: flags["exclude"] as string[],
      };
    }
    case "workdir":
      noFlags(req);
      if (args.length !== 1) throw exactlyOne("WORKDIR");
      return { kind: "WORKDIR", ...base(req), path: args[0]! };
    case "user":
      noFlags(req);
      if (args.length !== 1) throw exactlyOne("USER");
      return { kind: "USER", ...base(req), user: args[0]! };
    case "expose":
      noFlags(req);
      if (args.length === 0) throw atLeastOne("EXPOSE");
      return { kind: "EXPOSE", ...base(req), ports: args };
    case "volume":
      noFlags(req);
      if (args.length === 0) throw atLeastOne("VOLUME");
      if (args.some((v) => v.trim() === "")) throw new Error("VOLUME specified can not be an empty string");
      return { kind: "VOLUME", ...base(req), volumes: args };
    case "stopsignal":
      noFlags(req);
      if (args.length !== 1) throw exactlyOne("STOPSIGNAL");
      return { kind: "STOPSIGNAL", ...base(req), signal: args[0]! };
    case "shell":
      noFlags(req);
      if (args.length === 0) throw atLeastOne("SHELL");
      if (!req.json) throw new Error("SHELL requires the arguments to be in JSON form");
      return { kind: "SHELL", ...base(req), shell: args };
    case "healthcheck":
      return parseHealthcheck(req);
    case "onbuild": {
      noFlags(req);
      if (args.length === 0) throw atLeastOne("ONBUILD");
      const trigger = args[0]!.trim().toUpperCase();
      if (trigger === "ONBUILD") throw new Error("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (trigger === "FROM" || trigger === "MAINTAINER") throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
      return { kind: "ONBUILD", ...base(req), expression: req.original.replace(/^\s*ONBUILD\s*/i, "") };
    }
  }
  throw new Error(`unknown instruction: ${req.command.toUpperCase()}`);
}

/** One node of the parser's tree as a typed instruction. Throws DockerfileError. */
export function parseInstruction(node: Node): Instruction | FromInstruction {
  const range = { start: node.startLine, end: node.endLine };
  try {
    return parseByKind({
      command: node.value.toLowerCase(),
      args: nodeArgs(node),
      json: node.attributes.json === true,
      flags: new InstructionFlags(node.flags),
      heredocs: node.heredocs,
      original: node.original,
      range,
      comments: node.prevComments,
    });
  } catch (error) {
    throw withRange(error, range);
  }
}

/** Parses a Dockerfile into stages. Throws DockerfileError naming the line. */
export function parseDockerfile(source: string): Dockerfile {
  const result = parse(source);
  const stages: { from: FromInstruction; commands: Instruction[]; range: { start: number; end: number } }[] = [];
  const metaArgs: ArgInstruction[] = [];
  for (const node of result.ast.children) {
    const ins = parseInstruction(node);
    if (ins.kind === "FROM") {
      stages.push({ from: ins, commands: [], range: { ...ins.range } });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.kind === "ARG") {
        metaArgs.push(ins);
        continue;
      }
      throw new DockerfileError("parse", "no build stage in current context", ins.range);
    }
    stage.commands.push(ins);
    stage.range.end = ins.range.end;
  }
  return {
    stages: stages.map((s) => ({
      from: s.from,
      ...(s.from.name ? { name: s.from.name } : {}),
      baseName: s.from.baseName,
      ...(s.from.platform ? { platform: s.from.platform } : {}),
      commands: s.commands,
      range: s.range,
    })),
    metaArgs,
    escapeToken: result.escapeToken,
    directives: result.directives,
    warnings: result.warnings,
  };
}

/**
 * An ONBUILD trigger, parsed when an image built FROM the one holding it is built.
 * `range` is the line of the FROM that fired it, for errors.
 */
export function parseOnbuildTrigger(expression: string, range: LineRange): Instruction {
  let ins: Instruction | FromInstruction;
  try {
    const node = parse(expression).ast.children[0]!;
    ins = parseInstruction(node);
  } catch (error) {
    throw withRange(error instanceof DockerfileError ? new Error(error.detail) : error, range);
  }
  if (ins.kind === "FROM") throw new DockerfileError("parse", "FROM isn't allowed as an ONBUILD trigger", range);
  return { ...ins, range };
}

// ---------------------------------------------------------------------------------
// Expansion

/** Expands one word (quotes removed, variables substituted); see ShellLex.processWord. */
export type WordExpander = (word: string) => string;

function expandOpt(v: string | undefined, expand: WordExpander): string | undefined {
  return v === undefined ? undefined : expand(v);
}

function expandPairs(pairs: KeyValuePair[], expand: WordExpander): KeyValuePair[] {
  return pairs.map((p) => ({ key: expand(p.key), value: expand(p.value), noDelim: p.noDelim }));
}

function expandSources<T extends SourcesAndDest>(ins: T, expand: WordExpander): T {
  return {
    ...ins,
    sourcePaths: ins.sourcePaths.map(expand),
    destPath: expand(ins.destPath),
    sourceContents: ins.sourceContents,
  };
}

/**
 * The instruction with its words expanded, as the builder does before running it.
 * Errors (e.g. `${X:?}`) come back as DockerfileErrors naming the instruction's lines.
 */
export function expandInstruction<T extends Instruction | FromInstruction>(ins: T, expand: WordExpander): T {
  try {
    return expandByKind(ins, expand) as T;
  } catch (error) {
    throw withRange(error, ins.range);
  }
}

function expandByKind(ins: Instruction | FromInstruction, expand: WordExpander): Instruction | FromInstruction {
  const clean = <O extends object>(o: O): O => {
    for (const k of Object.keys(o) as (keyof O)[]) if (o[k] === undefined) delete o[k];
    return o;
  };
  switch (ins.kind) {
    case "FROM":
      return clean({ ...ins, baseName: expand(ins.baseName), platform: expandOpt(ins.platform, expand) });
    case "ENV":
      return { ...ins, env: expandPairs(ins.env, expand) };
    case "LABEL":
      return { ...ins, labels: expandPairs(ins.labels, expand) };
    case "ARG":
      return { ...ins, args: ins.args.map((a) => (a.value === undefined ? a : { key: a.key, value: expand(a.value) })) };
    case "COPY":
      return clean({
        ...expandSources(ins, expand),
        from: expandOpt(ins.from, expand),
        chown: expandOpt(ins.chown, expand),
        chmod: expandOpt(ins.chmod, expand),
        exclude: ins.exclude.map(expand),
      });
    case "ADD":
      return clean({
        ...expandSources(ins, expand),
        chown: expandOpt(ins.chown, expand),
        chmod: expandOpt(ins.chmod, expand),
        checksum: expandOpt(ins.checksum, expand),
        exclude: ins.exclude.map(expand),
      });
    case "WORKDIR":
      return { ...ins, path: expand(ins.path) };
    case "USER":
      return { ...ins, user: expand(ins.user) };
    case "EXPOSE":
      return { ...ins, ports: ins.ports.map(expand) };
    case "VOLUME":
      return { ...ins, volumes: ins.volumes.map(expand) };
    case "STOPSIGNAL":
      return { ...ins, signal: expand(ins.signal) };
    default:
      return ins;
  }
}

// ---------------------------------------------------------------------------------
// What Berth's builder does not do

const REMOTE = /^(?:https?:\/\/|git@|git:\/\/|ssh:\/\/)|\.git(?:#.*)?$/;

/**
 * Throws a DockerfileError naming the line for what Berth cannot build: RUN --mount,
 * --network and --security, ADD from a URL or git, COPY/ADD --link/--parents/--exclude,
 * ADD --checksum.
 */
export function checkSupported(dockerfile: Dockerfile): void {
  const fail = (ins: Base, what: string) => {
    throw new DockerfileError("instruction", `${what} is not supported by Berth (${ins.original.trim()})`, ins.range, { code: "NOT_IMPLEMENTED" });
  };
  for (const stage of dockerfile.stages) {
    for (const ins of stage.commands) {
      if (ins.kind === "RUN") {
        if (ins.mounts.length > 0) fail(ins, "RUN --mount");
        if (ins.network !== undefined) fail(ins, "RUN --network");
        if (ins.security !== undefined) fail(ins, "RUN --security");
      }
      if (ins.kind === "ADD") {
        if (ins.sourcePaths.some((s) => REMOTE.test(s))) fail(ins, "ADD from a URL or git repository (no network)");
        if (ins.checksum !== undefined) fail(ins, "ADD --checksum");
        if (ins.keepGitDir) fail(ins, "ADD --keep-git-dir");
      }
      if (ins.kind === "ADD" || ins.kind === "COPY") {
        if (ins.link) fail(ins, `${ins.kind} --link`);
        if (ins.exclude.length > 0) fail(ins, `${ins.kind} --exclude`);
        if (ins.kind === "COPY" && ins.parents) fail(ins, "COPY --parents");
      }
    }
  }
}
