// Builds toybox for the WASIX kernel: the upstream source from Debian's source
// package (fetched at build time, checked against the package's .dsc, never
// committed), configured with exactly the commands in commands.txt, compiled
// with libcompat plus this directory's port layer (include/, port.c). Edits to
// the source: exit handlers get the parameter they are called with
// (typeExitHandlers), children start with posix_spawnp rather than vfork
// (startWithSpawn), vi can edit a new file (loadEmptyFileAsLine), and ls -i
// prints 64-bit inodes whole (printWholeInodes).
//
// Incremental: the result is cached under .cache/toybox keyed by every input,
// so an unchanged build only copies it.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "../..");
const CACHE = path.join(ROOT, ".cache/toybox");
const PACKAGE = "toybox";
const TARBALL = "toybox_0.8.9+dfsg.orig.tar.xz";
const SOURCE_DIR = "toybox-0.8.9";

function commands() {
  return fs.readFileSync(path.join(HERE, "commands.txt"), "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
}

/** apt-get with a private source list, so that no root and no system apt state is needed. */
function apt(args, cwd) {
  const dir = path.join(CACHE, "apt");
  fs.mkdirSync(path.join(dir, "lists/partial"), { recursive: true });
  fs.mkdirSync(path.join(dir, "sources.list.d"), { recursive: true });
  fs.writeFileSync(
    path.join(dir, "sources.list.d/debian-src.sources"),
    "Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n",
  );
  const options = ["-o", "Dir::Etc::SourceList=/dev/null", "-o", `Dir::Etc::SourceParts=${dir}/sources.list.d`, "-o", `Dir::State::Lists=${dir}/lists`];
  execFileSync("apt-get", [...options, ...args], { cwd, stdio: ["ignore", "ignore", "inherit"] });
}

/** The upstream tarball, downloaded once and verified against the Debian source package's .dsc. */
function fetchSource() {
  const tarball = path.join(CACHE, TARBALL);
  if (fs.existsSync(tarball)) return tarball;
  fs.mkdirSync(CACHE, { recursive: true });
  apt(["-qq", "update"], CACHE);
  apt(["source", "--download-only", "--tar-only", PACKAGE], CACHE);
  apt(["source", "--download-only", "--dsc-only", PACKAGE], CACHE);
  const dsc = fs.readdirSync(CACHE).find((f) => f.startsWith(`${PACKAGE}_`) && f.endsWith(".dsc"));
  if (!dsc) throw new Error("toybox: no .dsc downloaded to check the tarball against");
  const listed = new RegExp(`^ ([0-9a-f]{64}) \\d+ ${TARBALL.replace(/[.+]/g, "\\$&")}$`, "m").exec(fs.readFileSync(path.join(CACHE, dsc), "utf8"));
  const actual = createHash("sha256").update(fs.readFileSync(tarball)).digest("hex");
  if (!listed || listed[1] !== actual) throw new Error(`toybox: ${TARBALL} does not match the sha256 in ${dsc}`);
  return tarball;
}

/**
 * Toybox calls every handler given to sigatexit() as void (*)(int): xexit() with 0, a
 * signal with its number. Some are defined with no parameter (lib.c's tempfile_handler
 * behind sed -i, top's top_cursor_cleanup). Natively the extra argument goes unnoticed;
 * in WebAssembly an indirect call whose type differs from the function's traps, so every
 * such command trapped on its way out after doing its work (`sed -i` rewrote the file,
 * then its parent saw status 12). This gives those handlers the int parameter they are
 * called with. Returns the handlers changed.
 */
function typeExitHandlers(src) {
  const files = ["lib", "toys"].flatMap((dir) =>
    fs.readdirSync(path.join(src, dir), { recursive: true }).map((f) => path.join(src, dir, String(f))).filter((f) => f.endsWith(".c")),
  );
  const texts = new Map(files.map((f) => [f, fs.readFileSync(f, "utf8")]));
  const handlers = new Set();
  for (const text of texts.values()) for (const m of text.matchAll(/\bsigatexit\((\w+)\)/g)) handlers.add(m[1]);
  const changed = [];
  for (const [file, text] of texts) {
    let edited = text;
    for (const name of handlers) {
      const definition = new RegExp(`^((?:static )?void ${name})\\(void\\)`, "m");
      if (definition.test(edited)) {
        edited = edited.replace(definition, "$1(int sig)");
        changed.push(name);
      }
    }
    if (edited !== text) fs.writeFileSync(file, edited);
  }
  return changed;
}

/** Replaces `from`, which must occur exactly once in the file, by `to`. */
function edit(src, file, from, to) {
  const full = path.join(src, file);
  const text = fs.readFileSync(full, "utf8");
  if (text.split(from).length !== 2) throw new Error(`toybox: ${file} does not hold this text once (a new version? review the edit):\n${from}`);
  fs.writeFileSync(full, text.replace(from, () => to));
}

/**
 * There is no fork on WASIX, and toybox starts every child with vfork + exec.
 * xpopen_setup() (behind xrun and xpopen: find -exec, tar's compressors) gets
 * a child with a command line from port.c's berth_popen (posix_spawnp), and
 * fails as xexec() does when it cannot start it (126, or 127 when missing);
 * one without (a re-run of toybox itself: cpio, tar's own filters) still
 * reports the missing vfork. xargs, which vforks itself, goes through it too.
 * find opened "." for every -exec, to fchdir() back to it after an -execdir;
 * there is no fchdir here, so only -execdir (which fails with ENOSYS) opens it.
 * tar exited without waiting for its compressor and SIGKILLed its
 * decompressor when done: here the compressor's output never reached the
 * file (a child was not seen to outlive its parent), and a kill that lands as
 * its target exits can hang the sender (wasm/README.md); it closes the pipe
 * and waits for either.
 */
function startWithSpawn(src) {
  edit(
    src,
    "lib/xwrap.c",
    "  int cestnepasun[4], pid;\n",
    "  int cestnepasun[4], pid;\n\n" +
      "  if (argv) {\n" +
      "    if (!(errno = berth_popen(&pid, argv, pipes))) return pid;\n" +
      "    toys.exitval = 126+(errno == ENOENT);\n" +
      '    perror_exit("exec %s", *argv);\n' +
      "  }\n",
  );
  edit(
    src,
    "toys/posix/xargs.c",
    "    if (!(pid = XVFORK())) {\n" +
      "      close(0);\n" +
      '      xopen_stdio(FLAG(o) ? "/dev/tty" : "/dev/null", O_RDONLY|O_CLOEXEC);\n' +
      "      xexec(out);\n" +
      "    }\n",
    "    {\n" +
      '      int in[] = {xopen(FLAG(o) ? "/dev/tty" : "/dev/null", O_RDONLY), 1};\n\n' +
      "      pid = xpopen_both(out, in);\n" +
      "      close(*in);\n" +
      "    }\n",
  );
  edit(src, "toys/posix/tar.c", "      xpopen_both((char *[]){get_archiver(), 0}, pipefd);\n", "      TT.pid = xpopen_both((char *[]){get_archiver(), 0}, pipefd);\n");
  edit(src, "toys/posix/tar.c", "    writeall(TT.fd, toybuf, 1024);\n", "    writeall(TT.fd, toybuf, 1024);\n    if (TT.pid>0) {\n      close(TT.fd);\n      xwaitpid(TT.pid);\n    }\n");
  edit(src, "toys/posix/tar.c", "    if (TT.pid>0) kill(TT.pid, 9);\n", "    if (TT.pid>0) {\n      close(TT.fd);\n      xwaitpid(TT.pid);\n    }\n");
  edit(src, "toys/posix/find.c", '          if (TT.topdir == -1) TT.topdir = xopenro(".");\n', '          if (aa->dir && TT.topdir == -1) TT.topdir = xopenro(".");\n');
}

/**
 * vi (toybox 0.8.9, pending) loads a new or empty file as an empty buffer, into
 * which every insert fails (insert_str finds no slice to put it in), so `vi
 * new.txt`, typed text and `:wq` wrote an empty file; natively too. Such a file
 * is loaded as one empty line instead, as vi shows it anyway.
 */
function loadEmptyFileAsLine(src) {
  edit(src, "toys/pending/vi.c", '      insert_str("", 0, 0, 0, STACK);\n      TT.filesize = 0;\n', '      insert_str("\\n", 0, 1, 1, STACK);\n      TT.filesize = 1;\n');
}

/**
 * ls -i printed each inode number through zprint(), whose unsigned long is 32
 * bits in WebAssembly: the kernel's 64-bit inodes came out cut, unlike stat's
 * %i and find -inum. The number is printed whole instead.
 */
function printWholeInodes(src) {
  edit(
    src,
    "toys/posix/ls.c",
    '    if (FLAG(i)) zprint(zap, "lu ", totals[1], st->st_ino);\n',
    '    if (FLAG(i) && zap) zprint(zap, "lu ", totals[1], 0);\n' + '    else if (FLAG(i)) printf("%*llu ", totals[1], (unsigned long long)st->st_ino);\n',
  );
}

function digestOf(parts) {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return hash.digest("hex").slice(0, 16);
}

export async function build({ buildDir, distDir, cflags, ldflags, run, unwrapCommandExports }) {
  const tarball = fetchSource();
  const list = commands();
  const port = ["port.c", ...fs.readdirSync(path.join(HERE, "include"), { recursive: true }).map((f) => path.join("include", String(f)))]
    .filter((f) => fs.statSync(path.join(HERE, f)).isFile())
    .sort();
  const libcompat = ldflags.filter((f) => f.endsWith(".a") || f.endsWith(".o"));
  const key = digestOf([
    fs.readFileSync(tarball),
    list.join("\n"),
    fs.readFileSync(fileURLToPath(import.meta.url)),
    ...port.map((f) => fs.readFileSync(path.join(HERE, f))),
    ...libcompat.map((f) => fs.readFileSync(f)),
    cflags.join(" "),
    ldflags.join(" "),
    unwrapCommandExports.toString(),
  ]);
  const out = path.join(distDir, "toybox.wasm");
  const cached = path.join(CACHE, `toybox-${key}.wasm`);
  if (!fs.existsSync(cached)) {
    const work = path.join(buildDir, "toybox");
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    run("tar", ["-xJf", tarball, "-C", work]);
    const src = path.join(work, SOURCE_DIR);
    run("make", ["-s", "allnoconfig"], { cwd: src, stdio: ["ignore", "ignore", "inherit"] });
    const configPath = path.join(src, ".config");
    let config = fs.readFileSync(configPath, "utf8");
    for (const command of list) {
      const symbol = `CONFIG_${command.toUpperCase()}`;
      if (!config.includes(`# ${symbol} is not set`)) throw new Error(`toybox: no command ${command} in this version`);
      config = config.replace(`# ${symbol} is not set`, `${symbol}=y`);
    }
    fs.writeFileSync(configPath, config);
    if (!typeExitHandlers(src).includes("tempfile_handler")) {
      throw new Error("toybox: no tempfile_handler(void) in lib.c to give its int parameter (if this version has one, drop this check)");
    }
    startWithSpawn(src);
    loadEmptyFileAsLine(src);
    printWholeInodes(src);
    // The port layer: headers WASI lacks, and the functions behind them.
    const compileFlags = [...cflags, "-D__linux__", `-I${path.join(HERE, "include")}`, "-include", "toybox-port.h"];
    const portObject = path.join(work, "port.o");
    run("clang", [...compileFlags, "-c", path.join(HERE, "port.c"), "-o", portObject]);
    run("bash", ["scripts/make.sh"], {
      cwd: src,
      stdio: ["ignore", "ignore", "inherit"],
      env: {
        ...process.env,
        CC: "clang",
        HOSTCC: "cc",
        CFLAGS: compileFlags.filter((f) => f !== "-Oz" && f !== "-Wall").join(" ") + " -Wno-everything",
        OPTIMIZE: "-Oz",
        LDOPTIMIZE: "-Wl,--gc-sections",
        // printf's %Lf and friends: wasi-libc leaves long double out of printf unless asked.
        // stat and lstat wrapped: toybox calls them through pointers, past libcompat's macros (port.c).
        LDFLAGS: ["--target=wasm32-wasi", cflags.find((f) => f.startsWith("--sysroot=")), portObject, ...ldflags, "-lc-printscan-long-double", "-Wl,--wrap=stat", "-Wl,--wrap=lstat"].join(" "),
        NOSTRIP: "1",
        V: "",
      },
    });
    unwrapCommandExports(path.join(src, "generated/unstripped/toybox"));
    run("wasm-opt", ["-Oz", "--strip-debug", "--strip-producers", "--strip-target-features", path.join(src, "generated/unstripped/toybox"), "-o", cached]);
  }
  fs.copyFileSync(cached, out);
  return [{ name: "toybox", file: out, commands: ["toybox", ...list] }];
}
