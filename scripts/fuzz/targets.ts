/**
 * What `npm run fuzz` feeds, one entry per target: how an input (bytes) is
 * handed to the code, the format's tokens for the mutator, and the checks
 * beyond "no crash" a target can make (a reference normalizes to itself, the
 * API answers with an HTTP status and a message).
 *
 * A crash is any exception that is not a BerthError (the engine's one error
 * type, DockerfileError included), a BerthError or API error whose message
 * is empty or a JavaScript internal ("Cannot read properties of undefined"),
 * a broken check (`Finding`), or an input that takes longer than its budget.
 */
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { createApiHandler, mountRequest, pullImage, volumeRequest, type ApiRequest } from "../../src/api/index.ts";
import { BUILDKIT_DOCKERFILE_CONFORMANCE } from "../../src/build/dockerfile/conformance.ts";
import { checkSupported, dump, envFromList, expandInstruction, parse, parseDockerfile, parseOnbuildTrigger, ShellLex } from "../../src/build/dockerfile/index.ts";
import { findCommand } from "../../src/cli/docker/index.ts";
import { parseFlags } from "../../src/cli/flags.ts";
import { bootNodePlayground } from "../../src/cli/node-playground.ts";
import type { Engine } from "../../src/engine/index.ts";
import { layerTree, MachineFiles, MemoryContentStore, MemoryFileSystem, readTar, writeTar, type TarEntry } from "../../src/fs/index.ts";
import {
  buildRecipe,
  familiarReference,
  formatReference,
  ImageStore,
  parseReference,
  readImageArchive,
  saveImages,
  type ImageIndex,
  type ImageManifest,
} from "../../src/image/index.ts";
import { bootNodeKernel } from "../../src/kernel/node-index.ts";
import { BerthError, concatBytes } from "../../src/util/index.ts";
import type { Rng } from "./mutate.ts";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A check of the target's own that failed: always a crash. */
export class Finding extends Error {
  override name = "Finding";
}

/** Runs one input; returns when the code accepted it or refused it with a clear error. */
export interface Runner {
  run(input: Uint8Array): void | Promise<void>;
  close?(): Promise<void>;
}

export interface Target {
  readonly name: string;
  /** Longest input the mutator makes. */
  readonly maxLength: number;
  /** Time one input may take before it counts as a hang. */
  readonly budgetMs: number;
  /** Tokens of the format, spliced in by the mutator (strings as UTF-8). */
  readonly dictionary: readonly (string | Uint8Array)[];
  /** `lines`: each line of a seed file is a seed of its own. */
  readonly seedFormat?: "lines";
  /** Seeds besides the files: read in place from outside the repository, or made by Berth's own code. */
  extraSeeds?(): Uint8Array[] | Promise<Uint8Array[]>;
  /** A structure-aware mutation; `havoc` is the byte mutator. */
  mutate?(input: Uint8Array, havoc: (data: Uint8Array) => Uint8Array, rng: Rng): Uint8Array;
  setup(): Promise<Runner>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (input: Uint8Array) => decoder.decode(input);

/** Words of JavaScript's own errors, which never explain anything to a Docker user. */
const INTERNALS = [
  /Cannot (?:read|set) propert/,
  /is not a function/,
  /is not iterable/,
  /is not defined/,
  /is not a constructor/,
  /Maximum call stack/,
  /Invalid (?:array|string) length/,
  /\bundefined\b/,
  /\bNaN\b/,
  /\[object \w+\]/,
];

/** Why a message is unclear, or undefined; words the input itself holds are the user's own. */
function unclear(message: string, input: string): string | undefined {
  if (message.trim() === "") return "empty message";
  for (const pattern of INTERNALS) {
    const match = pattern.exec(message);
    if (match && !input.includes(match[0])) return `message holds "${match[0]}"`;
  }
  return undefined;
}

/** Why an error thrown for `input` is a crash, or undefined when it is the module's clear refusal. */
export function verdict(error: unknown, input: string): string | undefined {
  if (error instanceof Finding) return error.message;
  if (!(error instanceof BerthError)) {
    return error instanceof Error ? `uncaught ${error.name}: ${error.message}` : `uncaught non-error: ${String(error)}`;
  }
  const why = unclear(error.message, input);
  return why && `unclear ${error.name} (${why}): ${error.message}`;
}

/** Runs `step`; a clear refusal is swallowed (the other steps still run), a crash goes up. */
function attempt(input: string, step: () => unknown): void {
  try {
    step();
  } catch (error) {
    if (verdict(error, input) !== undefined) throw error;
  }
}

// ---------------------------------------------------------------- dockerfile

const dockerfile: Target = {
  name: "dockerfile",
  maxLength: 4096,
  budgetMs: 1000,
  dictionary: [
    ...["FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT", "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL"].map((k) => `\n${k} `),
    ...["--from=", "--chown=", "--chmod=", "--link", "--parents", "--exclude=", "--checksum=", "--keep-git-dir", "--platform=", "--network=", "--security=", "--mount=type=cache,target=/x", "--mount=type=bind,from=a,source=/s"].map((f) => ` ${f}`),
    ...["--interval=", "--timeout=", "--start-period=", "--start-interval=", "--retries=", "1h2m3.5s", "-1ns", "0"].map((f) => ` ${f}`),
    "# escape=`\n",
    "# escape=\\\n",
    "# syntax=docker/dockerfile:1\n",
    "# check=skip=all\n",
    "#",
    "\\\n",
    "`\n",
    " \\\n\n",
    "<<EOF\n",
    "<<-EOF\n",
    '<<"EOF"\n',
    "3<<EOF ",
    "\nEOF\n",
    "\tEOF\n",
    '["',
    '"]',
    '", "',
    "[]",
    "${",
    "}",
    "$",
    "${A:-d}",
    "${A:+x}",
    "${A:?err}",
    "${A?}",
    "${A#*}",
    "${A%%x}",
    "${A/a/b}",
    " AS ",
    "=",
    '"',
    "'",
    "\\",
    "\t",
    "\r\n",
    "\ufeff",
    "NONE",
    "CMD ",
    "scratch",
    "alpine:3",
    "https://example.com/x",
    "git@github.com:a/b.git",
    "SIGKILL",
  ],
  extraSeeds() {
    // BuildKit's parser test data, read in place (never copied into the repository).
    const out: Uint8Array[] = [];
    const walk = (dir: string) => {
      if (!fs.existsSync(dir)) return;
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name === "Dockerfile") out.push(fs.readFileSync(full));
      }
    };
    walk(BUILDKIT_DOCKERFILE_CONFORMANCE);
    return out;
  },
  async setup() {
    return {
      run(input) {
        const source = text(input);
        dump(parse(source).ast);
        const df = parseDockerfile(source);
        // Words expanded as the builder does, with a value that has spaces and an empty one.
        const lex = new ShellLex({ escapeToken: df.escapeToken });
        const env = envFromList(["A=a b", "EMPTY="]);
        for (const ins of [...df.metaArgs, ...df.stages.flatMap((s) => [s.from, ...s.commands])]) {
          attempt(source, () => expandInstruction(ins, (word) => lex.processWord(word, env)));
          if (ins.kind === "ONBUILD") attempt(source, () => parseOnbuildTrigger(ins.expression, ins.range));
        }
        checkSupported(df);
      },
    };
  },
};

// ---------------------------------------------------------------- tar

const BLOCK = 512;

/** Recomputes each header's checksum (headers found as the reader walks), so mutants get past it. */
function fixChecksums(archive: Uint8Array): Uint8Array {
  const out = archive.slice();
  for (let offset = 0; offset + BLOCK <= out.length; ) {
    const block = out.subarray(offset, offset + BLOCK);
    if (block.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
    block.set(encoder.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
    const size = parseInt(decoder.decode(block.subarray(124, 136)).replace(/\0.*$/s, "").trim() || "0", 8);
    offset += BLOCK + (Number.isSafeInteger(size) && size > 0 ? Math.ceil(size / BLOCK) * BLOCK : 0);
  }
  return out;
}

/** "key=value" as a PAX record: its length (which counts itself), a space, the record, a newline. */
function paxRecord(record: string): string {
  let length = record.length + 3;
  while (String(length).length + record.length + 2 !== length) length = String(length).length + record.length + 2;
  return `${length} ${record}\n`;
}

/** One entry's blocks as writeTar writes them (no end-of-archive blocks), its header changed by `patch` and its checksum made right again: a hand-edited tar. */
function entryBlocks(entry: TarEntry, patch: (header: Uint8Array) => void = () => undefined): Uint8Array {
  const archive = writeTar([entry]);
  const blocks = archive.slice(0, archive.length - 1024);
  const header = blocks.subarray(0, 512);
  patch(header);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((a, b) => a + b, 0);
  header.set(encoder.encode(`${sum.toString(8).padStart(6, "0")}\0 `), 148);
  return blocks;
}

/**
 * The tar seeds, made at start: layer tars written by Berth's `writeTar`, some
 * edited as other tars write them (a GNU long name, global and per-entry PAX
 * headers, base-256 numbers, a device), and the shapes of two inputs the
 * fuzzer found crashing (a base-256 mtime past 2^53, a PAX mtime too big for
 * any date), kept so the fixes stay fixed.
 */
function tarSeeds(): Uint8Array[] {
  const at = 1700000000;
  const entry = (path: string, type: TarEntry["type"], extra: Partial<TarEntry> = {}): TarEntry => ({ path, type, mode: type === "directory" ? 0o755 : 0o644, uid: 0, gid: 0, mtime: at, ...extra });
  const file = (path: string, text: string, extra: Partial<TarEntry> = {}) => entry(path, "file", { data: encoder.encode(text), ...extra });
  const typed = (flag: string) => (header: Uint8Array) => (header[156] = flag.charCodeAt(0));
  const end = new Uint8Array(1024);
  const join = (...parts: Uint8Array[]) => concatBytes([...parts, end]);
  const longName = `${"g".repeat(120)}/gnu-long-name`;
  return [
    writeTar([entry("etc", "directory"), file("etc/hostname", "berth\n"), entry("etc/hosts2", "hardlink", { linkname: "etc/hostname" }), entry("bin", "directory"), entry("bin/sh", "symlink", { linkname: "busybox", mode: 0o777 })]),
    writeTar([
      file(`${"d".repeat(60)}/${"e".repeat(60)}/${"f".repeat(60)}/ustar-split`, "split in two\n"),
      file(`p/${"x".repeat(300)}`, "pax path"),
      entry("l", "symlink", { linkname: "t".repeat(150) }),
    ]),
    join(entryBlocks(file("././@LongLink", `${longName}\0`), typed("L")), entryBlocks(file(longName.slice(0, 100), "a GNU long name, as GNU tar writes\n"))),
    join(
      entryBlocks(file("PaxHeaders/g", paxRecord("a=b")), typed("g")),
      entryBlocks(file("PaxHeaders/x", paxRecord("mtime=1500000000.5") + paxRecord("comment=ignored")), typed("x")),
      entryBlocks(file("f", "x"), (header) => header.set([0x80, 0, 0, 0, 0, 0, 0, 42], 108)), // uid 42 in base 256
      entryBlocks(entry("dev/null", "file"), typed("3")),
    ),
    writeTar([file(".wh.gone", ""), entry("dir", "directory"), file("dir/.wh..wh..opq", ""), file("dir/new", "n")]),
    join(entryBlocks(file("f", "x"), (header) => header.set([0x80, ...new Array<number>(11).fill(0xff)], 136))),
    join(entryBlocks(file("PaxHeaders/x", paxRecord(`mtime=${"9".repeat(40)}`)), typed("x")), entryBlocks(file("f", "x"))),
  ];
}

const tar: Target = {
  name: "tar",
  maxLength: 64 * 1024,
  budgetMs: 1000,
  extraSeeds: tarSeeds,
  dictionary: [
    "ustar\x0000",
    "ustar  \0",
    "0000644\0",
    "0000755\0",
    "00000001000\0",
    "77777777777\0",
    // base-256 numbers, as GNU tar writes big ones
    Uint8Array.of(0x80, 0, 0, 0, 0, 0, 0, 1),
    Uint8Array.of(0xff, 0xff, 0xff, 0xff),
    "0",
    "1",
    "2",
    "5",
    "7",
    "x",
    "g",
    "L",
    "K",
    "3",
    ...["path=a/b", "linkpath=../x", "size=99", "mtime=1.5", "uid=4294967296", "gid=-1", "x=y"].map(paxRecord),
    "path=",
    "././@LongLink",
    "../",
    "/",
    "./",
    ".wh.",
    ".wh..wh..opq",
    "PaxHeaders/",
  ],
  mutate(input, havoc, rng) {
    const out = havoc(input);
    return rng.chance(0.8) ? fixChecksums(out) : out;
  },
  async setup() {
    return {
      run(input) {
        const source = decoder.decode(input);
        attempt(source, () => readTar(input, { confined: true }));
        const entries = readTar(input);
        attempt(source, () => layerTree(entries));
        // What was read writes back and reads again as the same entries.
        const again = readTar(writeTar(entries));
        const show = (e: TarEntry) => JSON.stringify({ ...e, data: e.data && createHash("sha256").update(e.data).digest("hex") });
        for (const [i, entry] of entries.entries()) {
          if (show(entry) !== show(again[i]!)) throw new Finding(`writeTar changes entry ${i}: ${show(entry)} -> ${again[i] ? show(again[i]!) : "nothing"}`);
        }
      },
    };
  },
};

// ---------------------------------------------------------------- archive (docker load)

const sha256hex = (data: Uint8Array) => createHash("sha256").update(data).digest("hex");

/** Renames blobs to their new digests, and the digests in the other files with them (three rounds: layer, config, manifest). */
function renameBlobs(entries: TarEntry[]): void {
  for (let round = 0; round < 3; round++) {
    for (const [i, entry] of entries.entries()) {
      const match = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(entry.path);
      if (!match || entry.type !== "file" || !entry.data) continue;
      const actual = sha256hex(entry.data);
      if (actual === match[1]) continue;
      entries[i] = { ...entry, path: `blobs/sha256/${actual}` };
      for (const [j, other] of entries.entries()) {
        if (!other.data || j === i) continue;
        const latin = Buffer.from(other.data).toString("latin1");
        if (latin.includes(match[1]!)) entries[j] = { ...other, data: Buffer.from(latin.split(match[1]!).join(actual), "latin1") };
      }
    }
  }
}

const ARCHIVE_MAX_LENGTH = 256 * 1024;

/**
 * The archive seeds, made by Berth's own `docker save` of a one-file image:
 * as saved (plain and gzip), as a bare OCI layout, in the older docker-archive
 * form, and with an index descriptor missing its digest or its size (crashes
 * the fuzzer once found).
 */
async function archiveSeeds(): Promise<Uint8Array[]> {
  const store = new ImageStore(new MemoryContentStore());
  const recipe = { repository: "docker.io/library/fuzz", tags: ["1"], created: "2024-05-01T00:00:00Z", os: "linux", architecture: "wasm32", config: { Cmd: ["/bin/sh"] } };
  const built = await buildRecipe(recipe, { "etc/motd": encoder.encode("hi\n") }, store.content);
  store.set("fuzz:1", built.manifest);
  store.set("team/fuzz:latest", built.manifest);
  const saved = await saveImages(store, ["fuzz:1", "team/fuzz:latest"]);
  const entries = readTar(saved);
  const blob = (digest: string) => entries.find((e) => e.path === `blobs/sha256/${digest.slice("sha256:".length)}`)!.data!;
  const json = (path: string) => JSON.parse(decoder.decode(entries.find((e) => e.path === path)!.data!)) as unknown;
  const index = json("index.json") as ImageIndex;
  const withIndex = (edit: (descriptor: Record<string, unknown>) => void) => {
    const changed = structuredClone(index);
    edit(changed.manifests[0] as unknown as Record<string, unknown>);
    return writeTar(entries.map((e) => (e.path === "index.json" ? { ...e, data: encoder.encode(JSON.stringify(changed)) } : e)));
  };
  const manifest = JSON.parse(decoder.decode(blob(index.manifests[0]!.digest))) as ImageManifest;
  const file = (path: string, data: Uint8Array): TarEntry => ({ path, type: "file", data, mode: 0o644, uid: 0, gid: 0, mtime: 0 });
  const configName = `${manifest.config.digest.slice("sha256:".length)}.json`;
  const legacy = writeTar([
    file("manifest.json", encoder.encode(JSON.stringify([{ Config: configName, RepoTags: ["old:archive"], Layers: manifest.layers.map((_, i) => `l${i}/layer.tar`) }]))),
    file(configName, blob(manifest.config.digest)),
    ...manifest.layers.map((layer, i) => file(`l${i}/layer.tar`, blob(layer.digest))),
  ]);
  return [
    saved,
    gzipSync(saved),
    writeTar(entries.filter((e) => e.path !== "manifest.json" && e.path !== "repositories")),
    legacy,
    withIndex((d) => delete d.digest),
    withIndex((d) => delete d.size),
  ];
}

const archive: Target = {
  name: "archive",
  maxLength: ARCHIVE_MAX_LENGTH,
  budgetMs: 2000,
  extraSeeds: archiveSeeds,
  dictionary: [
    '"manifests"',
    '"layers"',
    '"config"',
    '"Config"',
    '"Layers"',
    '"RepoTags"',
    '"rootfs"',
    '"diff_ids"',
    '"digest"',
    '"size"',
    '"mediaType"',
    '"annotations"',
    '"io.containerd.image.name"',
    '"org.opencontainers.image.ref.name"',
    '"application/vnd.oci.image.index.v1+json"',
    '"application/vnd.oci.image.manifest.v1+json"',
    '"application/vnd.docker.distribution.manifest.list.v2+json"',
    '"application/vnd.oci.image.layer.v1.tar+gzip"',
    '"blobs/sha256/',
    '"sha256:',
    "../",
    "/",
    "null",
    "[]",
    "{}",
    "-1",
    "1e400",
    '"alpine:latest"',
    '"a@sha256:0"',
    ",",
    ":",
    Uint8Array.of(0x1f, 0x8b, 0x08, 0), // a gzip header
  ],
  mutate(input, havoc, rng) {
    let entries: TarEntry[];
    try {
      entries = readTar(input);
    } catch {
      entries = [];
    }
    if (entries.length === 0 || rng.chance(0.15)) return fixChecksums(havoc(input));
    const i = rng.below(entries.length);
    const entry = entries[i]!;
    const mutateText = (s: string) => decoder.decode(havoc(encoder.encode(s)));
    switch (rng.below(6)) {
      case 0:
        entries[i] = { ...entry, path: mutateText(entry.path) };
        break;
      case 1:
        entries[i] = { ...entry, type: rng.chance(0.5) ? "symlink" : "hardlink", data: undefined, linkname: mutateText(entry.linkname ?? entry.path) };
        break;
      case 2:
        if (rng.chance(0.5)) entries.splice(i, 1);
        else entries.splice(rng.below(entries.length), 0, entry);
        break;
      default:
        entries[i] = { ...entry, type: "file", data: havoc(entry.data ?? new Uint8Array()) };
    }
    if (rng.chance(0.8)) renameBlobs(entries);
    const out = writeTar(entries);
    return out.length <= ARCHIVE_MAX_LENGTH ? out : fixChecksums(havoc(input));
  },
  async setup() {
    return {
      async run(input) {
        await readImageArchive(input);
      },
    };
  },
};

// ---------------------------------------------------------------- reference

const reference: Target = {
  name: "reference",
  maxLength: 1024,
  budgetMs: 1000,
  seedFormat: "lines",
  dictionary: ["docker.io/", "index.docker.io/", "library/", "localhost", ":5000", "[::1]", "@sha256:", "a".repeat(64), "0123456789abcdef", ":latest", ":", "/", ".", "_", "__", "-", "--", "A", "@", "sha256:"],
  async setup() {
    return {
      run(input) {
        const ref = parseReference(text(input));
        // The normalized and the familiar forms name the same image again.
        const full = formatReference(ref);
        const again = formatReference(parseReference(full));
        if (again !== full) throw new Finding(`normalizing ${full} again gives ${again}`);
        const familiar = familiarReference(ref);
        // Docker's own short form of docker.io/localhost/app is "localhost/app", which reads as a registry host.
        const first = familiar.split("/")[0]!;
        if (familiar.includes("/") && (first.includes(".") || first === "localhost")) return;
        const back = formatReference(parseReference(familiar));
        if (back !== full) throw new Finding(`the familiar form ${familiar} of ${full} names ${back}`);
      },
    };
  },
};

// ---------------------------------------------------------------- cli

/** A host for -v and --mount binds: /root/app exists, /etc/hostname is a file. */
function hostFiles(): MachineFiles {
  return new MachineFiles(MemoryFileSystem.from({ "root/app/Dockerfile": "FROM alpine\n", "etc/hostname": "berth\n" }));
}

const cli: Target = {
  name: "cli",
  maxLength: 2048,
  budgetMs: 1000,
  dictionary: [
    ...["run", "create", "exec", "ps", "build", "cp", "commit", "save", "load", "logs", "rm", "rmi", "tag", "volume", "container", "image", "system", "ls", "prune", "inspect", "df"].map((w) => `${w}\n`),
    ...["-it", "-d", "--rm", "-e", "--env=", "-v", "--volume=", "--mount", "--mount=", "--pids-limit", "-u", "-w", "--name", "--format", "-f", "-q", "-a", "-t", "--", "-", "--help", "-h", "=", "-e=", "-dp"].map((w) => `\n${w}`),
    "type=bind,source=/root/app,target=/app",
    "type=volume,src=data,dst=/data,ro",
    "type=tmpfs",
    ",readonly",
    ",volume-nocopy=true",
    "/etc/hostname:/h",
    "/root/app:/app:ro",
    "./x:/x:rw,nocopy",
    "data:/data",
    "..",
    ":",
    ",",
    "=false",
    "=1",
    "\n",
  ],
  async setup() {
    // volumeRequest and mountRequest read only the engine's host files.
    const engine = { hostFiles: hostFiles() } as Engine;
    return {
      run(input) {
        const source = text(input);
        const found = findCommand(source.split("\n"));
        if (!found) return;
        const flags = parseFlags(found.rest, found.command.flags);
        for (const spec of flags.lists.get("volume") ?? []) attempt(source, () => volumeRequest(engine, spec, "/root"));
        for (const spec of flags.lists.get("mount") ?? []) attempt(source, () => mountRequest(engine, spec, "/root"));
      },
    };
  },
};

// ---------------------------------------------------------------- api

/**
 * "METHOD URL\nheader: value\n...\n\nBODY" -> an ApiRequest; lenient, so any
 * bytes make some request.
 */
function parseApiRequest(input: Uint8Array): ApiRequest {
  const split = blankLine(input);
  const [first = "", ...lines] = decoder.decode(input.subarray(0, split)).split("\n");
  const space = first.indexOf(" ");
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    method: space < 0 ? first : first.slice(0, space),
    url: space < 0 ? "/" : first.slice(space + 1),
    headers,
    body: input.subarray(Math.min(split + 2, input.length)),
  };
}

/** Where the head of a request ends ("\n\n"), or its length when there is no body. */
function blankLine(input: Uint8Array): number {
  for (let i = 0; i + 1 < input.length; i++) if (input[i] === 0x0a && input[i + 1] === 0x0a) return i;
  return input.length;
}

/** Fields of the bodies the API reads (container and exec create, exec start, volume create). */
const API_FIELDS = ["Image", "Cmd", "Entrypoint", "Env", "WorkingDir", "Hostname", "User", "Labels", "Tty", "OpenStdin", "Volumes", "HostConfig", "Binds", "PidsLimit", "AutoRemove", "Name", "Driver", "Detach", "ConsoleSize", "AttachStdin", "AttachStdout", "AttachStderr"];

/** JSON values of each type and its edges, put where a field's value was: what a client with another idea of the schema sends. */
const JSON_VALUES: readonly unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, 1e308, "", "x", "alpine", "/data", "v:/v", "/etc/hostname/x:/d", "/root:/r:ro", [], {}, [""], ["sh"], [1], [null], [[]], [0, 0], [-1, 1e9], { "": 1 }, { "/data": {} }, { a: null }];

/** A JSON body with one value replaced, removed or added. */
function mutateJson(root: unknown, rng: Rng): unknown {
  const slots: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (value: unknown) => {
    if (value === null || typeof value !== "object") return;
    for (const [key, item] of Object.entries(value)) {
      slots.push(Array.isArray(value) ? { holder: value, key: Number(key) } : { holder: value as Record<string, unknown>, key });
      walk(item);
    }
  };
  walk(root);
  const fresh = () => structuredClone(rng.pick(JSON_VALUES));
  if (slots.length === 0 || rng.chance(0.1)) return fresh();
  const { holder, key } = rng.pick(slots);
  switch (rng.below(3)) {
    case 0:
      if (Array.isArray(holder)) holder.splice(key as number, 1);
      else delete holder[key];
      break;
    case 1:
      if (Array.isArray(holder)) holder.push(fresh());
      else holder[rng.pick(API_FIELDS)] = fresh();
      break;
    default:
      (holder as Record<string | number, unknown>)[key] = fresh();
  }
  return root;
}

/** A streamed body is read for this long; a stream that follows a container goes on, and that is no hang. */
const STREAM_READ_MS = 100;

async function readBody(body: Uint8Array | AsyncIterable<Uint8Array> | undefined): Promise<string> {
  if (body === undefined || body instanceof Uint8Array) return decoder.decode(body);
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  const deadline = Date.now() + STREAM_READ_MS;
  for (;;) {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), Math.max(0, deadline - Date.now()))));
    const next = await Promise.race([iterator.next(), timeout]).finally(() => clearTimeout(timer));
    if (next === "timeout") {
      // Not awaited: a stream still waiting for a container settles its return later.
      void iterator.return?.()?.catch(() => undefined);
      break;
    }
    if (next.done) break;
    chunks.push(next.value);
  }
  return chunks.map((c) => decoder.decode(c)).join("");
}

/**
 * Stop and restart wait ?t= seconds (10 by default) for a container that
 * ignores SIGTERM, as a PID 1 without a handler does: a wait the input asked
 * for, not a hang. The fuzzer asks for 1 s (the first t wins), to keep its pace.
 */
function shortStop(request: ApiRequest): ApiRequest {
  const q = request.url.indexOf("?");
  const path = q < 0 ? request.url : request.url.slice(0, q);
  if (!/\/(?:stop|restart)\/?$/.test(path)) return request;
  return { ...request, url: `${path}?t=1${q < 0 ? "" : `&${request.url.slice(q + 1)}`}` };
}

/** Containers left running by inputs are stopped past this many, so a run's memory stays bounded. */
const MAX_RUNNING = 4;

const api: Target = {
  name: "api",
  maxLength: 4096,
  budgetMs: 5000,
  dictionary: [
    "GET ",
    "POST ",
    "DELETE ",
    "HEAD ",
    "PUT ",
    "/v1.50",
    "/v1.24",
    "/v1.12",
    "/v9.99",
    "/v1.",
    "/containers/",
    "/images/",
    "/volumes/",
    "/exec/",
    "/json",
    "/create",
    "/start",
    "/wait",
    "/logs",
    "/top",
    "/changes",
    "/history",
    "/tag",
    "/resize",
    "/rename",
    "/kill",
    "fuzz",
    "alpine",
    "?",
    "&",
    "=",
    "%",
    "%2F",
    "%00",
    "%E0%A4%A",
    "//",
    "#",
    "name=fuzz",
    "all=1",
    "force=true",
    "fromImage=alpine",
    "tag=3",
    "filters={}",
    "stdout=1",
    "stderr=1",
    "follow=1",
    "tail=2",
    "condition=removed",
    "t=-1",
    "h=24&w=80",
    "signal=KILL",
    "ps_args=-ef",
    "\ncontent-type: application/json",
    "\ncontent-type: text/plain",
    "\nupgrade: tcp",
    "\n\n",
    ...API_FIELDS.map((f) => `"${f}"`),
    '"/data"',
    '"/etc/hostname/x:/d"',
    '"/root:/r:ro"',
    '"v:/v"',
    "null",
    "true",
    "false",
    "[]",
    "{}",
    "[0,0]",
    "-1",
    "1e999",
    "4294967296",
    '""',
    '"x"',
    '["sh","-c","exit 3"]',
    ",",
    ":",
  ],
  mutate(input, havoc, rng) {
    // Half the time a JSON body stays JSON, with a value of another type or shape: what reaches the handlers.
    const split = blankLine(input);
    if (split < input.length && rng.chance(0.5)) {
      try {
        const body: unknown = JSON.parse(decoder.decode(input.subarray(split + 2)));
        return Buffer.concat([input.subarray(0, split + 2), encoder.encode(JSON.stringify(mutateJson(body, rng)))]);
      } catch {
        // not JSON: bytes it is
      }
    }
    return havoc(input);
  },
  async setup() {
    const kernel = await bootNodeKernel();
    const { engine } = await bootNodePlayground(kernel);
    // An image to create containers from, whatever order the inputs come in.
    await pullImage(engine, "alpine", () => undefined);
    const handle = createApiHandler(engine);
    return {
      async run(input) {
        const request = shortStop(parseApiRequest(input));
        const response = await handle(request);
        if (!Number.isInteger(response.status) || response.status < 100 || response.status > 599) {
          throw new Finding(`answered with status ${response.status} (not an HTTP status)`);
        }
        const body = await readBody(response.body);
        if (response.status >= 400) {
          let message: unknown;
          try {
            message = (JSON.parse(body) as { message?: unknown }).message;
          } catch {
            throw new Finding(`status ${response.status} without Docker's JSON error body: ${body}`);
          }
          const why = typeof message === "string" ? unclear(message, text(input)) : "no message";
          if (why) throw new Finding(`status ${response.status}, unclear (${why}): ${String(message)}`);
        }
        const running = engine.runtime.list({ all: false });
        if (running.length > MAX_RUNNING) for (const c of running) await engine.runtime.kill(c.id, {}).catch(() => undefined);
      },
      close: () => kernel.close(),
    };
  },
};

export const TARGETS: readonly Target[] = [dockerfile, tar, archive, reference, cli, api];
