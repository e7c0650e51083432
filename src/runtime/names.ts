/**
 * Names for containers started without --name, in Docker's "adjective_surname"
 * shape. Our own lists: adjectives, and people who shaped operating systems
 * and containers.
 */
const ADJECTIVES = [
  "agile", "brave", "calm", "clever", "curious", "daring", "eager", "elegant", "fervent", "focused",
  "gallant", "gentle", "happy", "hopeful", "humble", "jolly", "keen", "kind", "lively", "lucid",
  "merry", "modest", "nimble", "noble", "patient", "peaceful", "plucky", "quiet", "quirky", "serene",
  "sharp", "steady", "sunny", "swift", "tender", "tidy", "upbeat", "vibrant", "wise", "witty",
];

const SURNAMES = [
  "allen", "bach", "backus", "bell", "cerf", "corbato", "cutler", "dijkstra", "engelbart", "floyd",
  "goldberg", "hamilton", "hopper", "kahn", "kernighan", "knuth", "lamport", "liskov", "lovelace", "mccarthy",
  "mcilroy", "metcalfe", "neumann", "ossanna", "pike", "popek", "ritchie", "saltzer", "shannon", "sutherland",
  "tanenbaum", "thompson", "torvalds", "turing", "wirth", "wozniak",
];

/** A random name not in `taken` (Docker adds a digit when it runs out of luck). */
export function randomName(taken: (name: string) => boolean, random: () => number = Math.random): string {
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  for (let attempt = 0; attempt < 10; attempt++) {
    const name = `${pick(ADJECTIVES)}_${pick(SURNAMES)}`;
    if (!taken(name)) return name;
  }
  for (let n = 1; ; n++) {
    const name = `${pick(ADJECTIVES)}_${pick(SURNAMES)}${n}`;
    if (!taken(name)) return name;
  }
}
