/**
 * The costs of a profile by function (issue #11): reads the V8 CPU profiles bench:limits wrote
 * with BENCH_PROFILE_DIR (bench/lib/isolate-cpu.ts) and prints, per function, its self and total
 * share of the isolate's non-idle samples — where an invocation's CPU goes, not how much it is.
 *
 * Usage: node bench/profile-top.ts <dir or .cpuprofile>... [--top 40]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
}

const args = process.argv.slice(2);
const topAt = args.indexOf('--top');
const top = topAt >= 0 ? Number(args[topAt + 1]) : 40;
const paths = args.filter((a, i) => i !== topAt && i !== topAt + 1).flatMap((p) => (statSync(p).isDirectory() ? readdirSync(p).map((f) => join(p, f)) : [p]));

const self = new Map<string, number>();
const total = new Map<string, number>();
let samples = 0;
for (const path of paths) {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').pop()}:${n.callFrame.lineNumber + 1}`;
  for (const id of profile.samples) {
    const leaf = byId.get(id)!;
    if (leaf.callFrame.functionName === '(idle)') continue;
    samples++;
    self.set(name(leaf), (self.get(name(leaf)) ?? 0) + 1);
    // each function once per sample, however deep it recurses
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(name(byId.get(at)!));
    for (const k of seen) total.set(k, (total.get(k) ?? 0) + 1);
  }
}
const pct = (n: number) => `${((n / samples) * 100).toFixed(1).padStart(5)} %`;
console.log(`${samples} non-idle samples in ${paths.length} profile(s)\n\nself:`);
for (const [k, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
console.log('\ntotal:');
for (const [k, n] of [...total].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
