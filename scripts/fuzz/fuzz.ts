/**
 * `npm run fuzz [-- TARGET...] [--seconds N] [--seed N]`: fuzzes each target
 * (all by default; see targets.ts) one after the other, for N seconds each
 * (FUZZ_SECONDS, default 20; longer until it has run 10,000 inputs), and
 * prints `fuzz TARGET: N inputs, K crashes`. Exits 1 when anything crashed,
 * naming each crashing input saved under .cache/fuzz/. The seed (random
 * unless given, FUZZ_SEED) is printed so a run can be repeated.
 */
import { fuzzTarget } from "./runner.ts";
import { TARGETS } from "./targets.ts";

function option(name: string, env: string | undefined, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? process.argv[at + 1] : env;
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} takes a positive number, not ${value}`);
  return n;
}

/** Each target gets at least this many inputs, however slow the machine. */
const MIN_INPUTS = 10_000;

const seconds = option("--seconds", process.env.FUZZ_SECONDS, 20);
const seed = option("--seed", process.env.FUZZ_SEED, 1 + Math.floor(Math.random() * 0x7fff_ffff));
const names = process.argv.slice(2).filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
if (unknown.length) throw new Error(`no fuzz target ${unknown.join(", ")} (${TARGETS.map((t) => t.name).join(", ")})`);

console.log(`seed ${seed}, ${seconds} s per target`);
let failed = false;
for (const name of names.length ? names : TARGETS.map((t) => t.name)) {
  const result = await fuzzTarget(name, { seed, seconds, minInputs: MIN_INPUTS });
  console.log(`fuzz ${name}: ${result.inputs} inputs, ${result.crashes.length} crashes`);
  console.log(`  ${Math.round((result.inputs * 1000) / result.ms)} inputs/s, corpus ${result.corpus}, ${result.blocks} blocks of src/ reached`);
  for (const crash of result.crashes) console.log(`  ${crash.file}: ${crash.reason.split("\n")[0]}`);
  failed ||= result.crashes.length > 0;
}
process.exit(failed ? 1 : 0);
