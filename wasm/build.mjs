// Builds the guest userland into wasm/dist: libcompat, then every program in
// PROGRAMS, then the steps in wasm/*/build-step.mjs (toybox), then a manifest.
//
//   node wasm/build.mjs            build (always)
//   node wasm/build.mjs --if-stale build only when an input changed since the last build
//
// Reproducible by construction: fixed flags, sorted inputs, no timestamps or
// absolute paths in the output; wasm/build.test.ts checks two builds agree.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const WASM = path.dirname(fileURLToPath(import.meta.url));
// Overridable so that the reproducibility test can build a second copy elsewhere.
const BUILD = process.env.BERTH_WASM_BUILD_DIR ?? path.join(WASM, "build");
const DIST = process.env.BERTH_WASM_DIST_DIR ?? path.join(WASM, "dist");
const SYSROOT = path.join(BUILD, "sysroot");
const LIBCOMPAT = path.join(BUILD, "libcompat.a");
/** start.o is linked as an object, never from the archive: it must replace libc's __main_void. */
const LIBCOMPAT_START = path.join(BUILD, "libcompat-start.o");

/** Programs built from our own C sources: name -> source dir (all *.c in it). */
export const PROGRAMS = [
  { name: "sh", dir: "sh", commands: ["sh"] },
  { name: "docker", dir: "docker", commands: ["docker"] },
  { name: "tty", dir: "tty", commands: ["stty", "tput"] },
];

/**
 * Programs that fixture images carry as files of their own (not commands of the
 * kernel's userland): manifest.imagePrograms, read by src/image/fixtures-node.ts.
 */
export const IMAGE_PROGRAMS = [{ name: "legacy-bash", dir: "legacy" }];

/** Test-only guests, built beside the product but listed apart in the manifest. */
export const TEST_PROGRAMS = [
  { name: "probe", dir: "test/probe", commands: ["probe"] },
  { name: "fsprobe", dir: "test/fsprobe", commands: ["fsprobe"] },
  { name: "spec-helpers", dir: "test/spec-helpers", commands: ["argv.py", "printenv.py", "stdout_stderr.py", "read_from_fd.py"] },
];

export const CFLAGS = [
  "--target=wasm32-wasi",
  `--sysroot=${SYSROOT}`,
  "-Oz",
  "-g0",
  "-std=gnu11",
  "-Wall",
  "-Wno-unused-parameter",
  "-D_WASI_EMULATED_SIGNAL",
  "-D_WASI_EMULATED_PROCESS_CLOCKS",
  "-D_WASI_EMULATED_MMAN",
  "-D_WASI_EMULATED_GETPID",
  `-ffile-prefix-map=${WASM}=/berth/wasm`,
  "-fno-ident",
  `-I${path.join(WASM, "libcompat/include")}`,
  "-include", "berth/compat.h",
];

/** Objects that link libcompat into a program (steps such as toybox use them too). */
export const LINK_LIBCOMPAT = [LIBCOMPAT_START, LIBCOMPAT];

export const LDFLAGS = [
  "-Wl,-z,stack-size=1048576",
  "-lwasi-emulated-signal",
  "-lwasi-emulated-process-clocks",
  "-lwasi-emulated-mman",
];

function run(cmd, args, opts = {}) {
  execFileSync(cmd, args, { stdio: ["ignore", "inherit", "inherit"], ...opts });
}

/** A private sysroot: Debian's wasi-libc only, so no glibc header can slip in. */
function prepareSysroot() {
  fs.mkdirSync(path.join(SYSROOT, "lib"), { recursive: true });
  const links = [
    ["/usr/include/wasm32-wasi", path.join(SYSROOT, "include")],
    ["/usr/lib/wasm32-wasi", path.join(SYSROOT, "lib/wasm32-wasi")],
  ];
  for (const [target, link] of links) {
    if (!fs.existsSync(link)) fs.symlinkSync(target, link);
  }
}

function cFiles(dir) {
  return fs.readdirSync(dir).filter((f) => f.endsWith(".c")).sort().map((f) => path.join(dir, f));
}

export function buildLibcompat() {
  const objDir = path.join(BUILD, "libcompat");
  fs.mkdirSync(objDir, { recursive: true });
  const objects = [];
  for (const src of cFiles(path.join(WASM, "libcompat/src"))) {
    const obj = path.join(objDir, path.basename(src, ".c") + ".o");
    run("clang", [...CFLAGS, "-c", src, "-o", obj]);
    if (path.basename(obj) === "start.o") fs.copyFileSync(obj, LIBCOMPAT_START);
    else objects.push(obj);
  }
  fs.rmSync(LIBCOMPAT, { force: true });
  run("llvm-ar-14", ["rcsD", LIBCOMPAT, ...objects]);
}

/** Compile and link one program against libcompat, then shrink it with wasm-opt. */
export function buildProgram({ name, dir, extraCflags = [] }, outDir) {
  const srcDir = path.join(WASM, dir);
  const objDir = path.join(BUILD, "obj", dir);
  fs.mkdirSync(objDir, { recursive: true });
  const objects = cFiles(srcDir).map((src) => {
    const obj = path.join(objDir, path.basename(src, ".c") + ".o");
    run("clang", [...CFLAGS, ...extraCflags, "-c", src, "-o", obj]);
    return obj;
  });
  const raw = path.join(BUILD, `${name}.raw.wasm`);
  const out = path.join(outDir, `${name}.wasm`);
  link([...objects, ...LINK_LIBCOMPAT], raw);
  unwrapCommandExports(raw);
  run("wasm-opt", ["-Oz", "--strip-debug", "--strip-producers", "--strip-target-features", raw, "-o", out]);
  return out;
}

/**
 * Link without -O: clang would otherwise run its own wasm-opt pass on the
 * output; we run wasm-opt once ourselves, with flags we choose.
 */
export function link(inputs, out) {
  run("clang", ["--target=wasm32-wasi", `--sysroot=${SYSROOT}`, ...inputs, ...LDFLAGS, "-o", out]);
}

/**
 * wasm-ld wraps every export of a command module but _start in a function
 * that runs the constructors before it and the destructors after. libcompat's
 * signal dispatcher (berth_deliver_signal, called by the kernel for each
 * signal) must not be wrapped: the constructors would register the kernel's
 * preopened "/" again after libcompat's root (root.c) and rebuild environ
 * from the start environment, in the middle of the program. The exports are
 * pointed back at the functions themselves (wasm-opt drops the wrappers).
 */
export function unwrapCommandExports(file) {
  const text = execFileSync("wasm-dis", [file], { maxBuffer: 1 << 30 }).toString();
  const unwrapped = text.replace(/\(export "([^"]+)" \(func \$([^\s)]+)\.command_export\)\)/g, (line, exported, func) =>
    exported === "_start" ? line : `(export "${exported}" (func $${func}))`,
  );
  if (unwrapped === text) return;
  const wat = `${file}.wat`;
  fs.writeFileSync(wat, unwrapped);
  run("wasm-as", ["--all-features", wat, "-o", file]);
  fs.rmSync(wat);
}

function sha256(file) {
  return createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** Hash of every build input, so --if-stale can skip an up-to-date build. */
function inputsDigest() {
  const hash = createHash("sha256");
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== "build" && entry.name !== "dist") walk(full);
      } else if (!entry.name.endsWith(".test.ts")) {
        hash.update(path.relative(WASM, full)).update(fs.readFileSync(full));
      }
    }
  };
  walk(WASM);
  return hash.digest("hex");
}

async function buildSteps() {
  const steps = [];
  for (const entry of fs.readdirSync(WASM, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const step = path.join(WASM, entry.name, "build-step.mjs");
    if (entry.isDirectory() && fs.existsSync(step)) steps.push(step);
  }
  const results = [];
  for (const step of steps) {
    const mod = await import(step);
    results.push(...(await mod.build({ buildDir: BUILD, distDir: DIST, cflags: CFLAGS, ldflags: [...LINK_LIBCOMPAT, ...LDFLAGS], run, unwrapCommandExports })));
  }
  return results;
}

export async function buildAll() {
  prepareSysroot();
  fs.mkdirSync(DIST, { recursive: true });
  fs.mkdirSync(path.join(DIST, "test"), { recursive: true });
  buildLibcompat();
  const entries = [];
  for (const program of PROGRAMS) {
    entries.push({ ...program, file: buildProgram(program, DIST), test: false });
  }
  for (const program of TEST_PROGRAMS) {
    entries.push({ ...program, file: buildProgram(program, path.join(DIST, "test")), test: true });
  }
  // Steps return { name, file, commands, test? } for what they built.
  for (const built of await buildSteps()) entries.push({ test: false, ...built });

  const describe = (file) => ({ file: path.relative(DIST, file), sha256: sha256(file), size: fs.statSync(file).size });
  const manifest = { inputs: inputsDigest(), modules: {}, commands: {}, testCommands: {}, imagePrograms: {} };
  for (const e of entries) {
    manifest.modules[e.name] = describe(e.file);
    for (const c of e.commands) (e.test ? manifest.testCommands : manifest.commands)[c] = e.name;
  }
  fs.mkdirSync(path.join(DIST, "images"), { recursive: true });
  for (const program of IMAGE_PROGRAMS) manifest.imagePrograms[program.name] = describe(buildProgram(program, path.join(DIST, "images")));
  fs.writeFileSync(path.join(DIST, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");
  return manifest;
}

export function isStale() {
  const file = path.join(DIST, "manifest.json");
  if (!fs.existsSync(file)) return true;
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")).inputs !== inputsDigest();
  } catch {
    return true;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--if-stale") && !isStale()) process.exit(0);
  const t0 = Date.now();
  const manifest = await buildAll();
  const mods = Object.entries(manifest.modules).map(([n, m]) => `${n} ${(m.size / 1024).toFixed(0)} KB`);
  console.error(`wasm: built ${mods.join(", ")} in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}
