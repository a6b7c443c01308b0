import type { OperationRef } from '../openapi';
import { FuzzCase, FuzzTarget, ROLES, Role, generateCase } from './generator';
import { FuzzClient, FuzzRequest, FuzzResponse } from './http';
import { MUTATIONS } from './mutations';
import { OracleOptions, decodedBody, problemsOf } from './oracle';
import { ACCEPTABLE_AUTHORIZATION } from './tokens';
import { Random } from './random';

export interface CampaignOptions {
  seed: number;
  /** How many cases; each is one request. */
  cases: number;
  /** Only these case numbers (a replay); all when undefined. */
  only?: number[];
  concurrency: number;
  operations: OperationRef[];
  /** How often each operation is drawn (by its key, default 1): the slow ones (bcrypt) less. */
  weights?: Record<string, number>;
  oracle: OracleOptions;
  /** Called with each answer, to collect what later cases or the read-back need (task ids…). */
  observe?(fuzzCase: FuzzCase, res: FuzzResponse): void;
}

export interface Failure {
  index: number;
  summary: string;
  /** The request as sent (tokens left out), to replay it by hand. */
  request: string;
  requestId?: string;
  problems: string[];
}

/** Statuses, failures and coverage of a run, added to by every request it sends. */
export class Tally {
  readonly statuses = new Map<number, number>();
  readonly failures: Failure[] = [];
  /** "POST /token as admin" → cases. */
  readonly coverage = new Map<string, number>();
  /** "auth:algNone" → cases. */
  readonly mutations = new Map<string, number>();
  /** "POST /token" → milliseconds its answers took in all, to see what a run's time goes to. */
  readonly millis = new Map<string, number>();
  requests = 0;

  cover(key: string): void {
    this.coverage.set(key, (this.coverage.get(key) ?? 0) + 1);
  }

  /** Counts one answer and keeps it as a failure when it has problems. */
  record(index: number, summary: string, request: FuzzRequest, res: FuzzResponse, problems: string[]): void {
    this.requests += 1;
    this.statuses.set(res.status, (this.statuses.get(res.status) ?? 0) + 1);
    if (problems.length === 0) return;
    const requestId = typeof res.headers['x-request-id'] === 'string' ? res.headers['x-request-id'] : undefined;
    this.failures.push({
      index,
      summary: `${summary} → ${res.status} ${decodedBody(res).toString('utf8').slice(0, 300)}`,
      request: describeRequest(request),
      requestId,
      problems,
    });
  }

  /** Checks one answer with the oracle and records it. */
  check(index: number, summary: string, request: FuzzRequest, path: string, res: FuzzResponse, oracle: OracleOptions): void {
    this.record(index, summary, request, res, problemsOf(request.method, path, res, oracle, request));
  }

  /** The operations that took longest in all, with their share of the time. */
  slowest(count = 5): string[] {
    const total = [...this.millis.values()].reduce((sum, ms) => sum + ms, 0);
    return [...this.millis.entries()]
      .sort(([, a], [, b]) => b - a)
      .slice(0, count)
      .map(([key, ms]) => `${key} ${Math.round((100 * ms) / total)}%`);
  }

  histogram(): Record<string, number> {
    return Object.fromEntries([...this.statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => [String(status), count]));
  }
}

/** How many cases of each operation, as any role, carry a token it must refuse, before the weighted draw. */
const REFUSED_TOKEN_ROUNDS = 3;

/**
 * Which operation and role case `index` exercises, and a mutation it must have: every pair of
 * operation and role in turn three times, then every operation with a token it must refuse, then
 * as weighted.
 */
function scheduleOf(index: number, rng: Random, options: CampaignOptions): { op: OperationRef; role: Role; forced?: string } {
  const { operations } = options;
  const pairs = operations.length * ROLES.length;
  if (index < pairs * 3) {
    const pair = index % pairs;
    return { op: operations[Math.floor(pair / ROLES.length)], role: ROLES[pair % ROLES.length] };
  }
  if (index < pairs * 3 + operations.length * REFUSED_TOKEN_ROUNDS) {
    return { op: operations[(index - pairs * 3) % operations.length], role: rng.pick(ROLES), forced: 'auth.refused' };
  }
  const key = rng.weighted(Object.fromEntries(options.operations.map((op) => [op.key, options.weights?.[op.key] ?? 1])));
  return { op: options.operations.find((op) => op.key === key)!, role: rng.pick(ROLES) };
}

/** One line: the method and target, cut short. */
export const summarise = (request: FuzzRequest) =>
  request.raw ? `raw ${JSON.stringify(redactTokens(request.raw.subarray(0, 120).toString('latin1')))}` : `${request.method} ${clip(request.target, 160)}`;

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

/** A bearer token's value is left out (the case's mutations say what kind it was); its scheme stays. */
const redactTokens = (text: string) => text.replace(/(Bearer\s+)[A-Za-z0-9._~+/=-]{16,}/gi, (_, scheme: string) => `${scheme}<token>`);

/**
 * The request as sent, to replay it by hand: method, target, every header in order (a token's value
 * left out) and the body, each cut short, with JSON escapes for bytes that do not print.
 */
export function describeRequest(request: FuzzRequest): string {
  if (request.raw) return `raw bytes (${request.raw.length}): ${JSON.stringify(redactTokens(clip(request.raw.toString('latin1'), 600)))}`;
  const lines = [`${request.method} ${clip(request.target, 600)}`];
  for (const [name, value] of request.headers)
    lines.push(`${name}: ${JSON.stringify(clip(name.toLowerCase() === 'authorization' ? redactTokens(value) : value, 200))}`);
  if (request.body) lines.push(`body (${request.body.length} bytes): ${JSON.stringify(clip(request.body.toString('utf8'), 600))}`);
  return lines.join('\n');
}

/**
 * A token of a kind that must be refused (tokens.ts) let through on a route that needs one: a 2xx or
 * 3xx, or a 403 (which comes only after the token was accepted). A case whose method or bytes were
 * changed no longer speaks to the operation it was made for, so it is not judged here.
 */
function authorizationProblems(fuzzCase: FuzzCase, res: FuzzResponse): string[] {
  const kind = refusedTokenKind(fuzzCase);
  if (kind === undefined || !fuzzCase.op.operation.security?.length || res.status === 0) return [];
  return res.status < 400 || res.status === 403 ? [`a token of kind ${kind} was accepted (${res.status})`] : [];
}

/** The kind of the token a case sends that its operation must refuse, if it sends one to that operation. */
function refusedTokenKind(fuzzCase: FuzzCase): string | undefined {
  if (fuzzCase.mutations.some((m) => m.startsWith('method:') || m.startsWith('raw:'))) return undefined;
  const last = fuzzCase.mutations.filter((m) => m.startsWith('auth:') || m.startsWith('auth.refused:')).pop();
  const kind = last?.slice(last.indexOf(':') + 1);
  return kind === undefined || ACCEPTABLE_AUTHORIZATION.has(kind) ? undefined : kind;
}

/** Sends every case, `concurrency` at a time, and checks each answer with the oracle. */
export async function runCampaign(target: FuzzTarget, client: FuzzClient, options: CampaignOptions, tally: Tally): Promise<void> {
  const indices = options.only ?? Array.from({ length: options.cases }, (_, i) => i);
  let next = 0;
  const worker = async () => {
    while (next < indices.length) {
      const index = indices[next++];
      const rng = Random.forCase(options.seed, index);
      const { op, role, forced } = scheduleOf(index, rng, options);
      const fuzzCase = generateCase(target, index, rng, op, role, forced);
      tally.cover(`${op.key} as ${role}`);
      if (refusedTokenKind(fuzzCase) !== undefined) tally.cover(`${op.key} with a refused token`);
      for (const mutation of fuzzCase.mutations) tally.mutations.set(mutation, (tally.mutations.get(mutation) ?? 0) + 1);
      const summary = `#${index} ${summarise(fuzzCase.request)} as ${role} [${fuzzCase.mutations.join(', ') || 'as documented'}]`;
      let res: FuzzResponse;
      const sent = performance.now();
      try {
        res = await client.send(fuzzCase.request);
        tally.millis.set(op.key, (tally.millis.get(op.key) ?? 0) + performance.now() - sent);
      } catch (error) {
        tally.requests += 1;
        tally.failures.push({ index, summary, request: describeRequest(fuzzCase.request), problems: [`no answer: ${(error as Error).message}`] });
        continue;
      }
      const problems = [...problemsOf(fuzzCase.request.method, op.path, res, options.oracle, fuzzCase.request), ...authorizationProblems(fuzzCase, res)];
      tally.record(index, summary, fuzzCase.request, res, problems);
      options.observe?.(fuzzCase, res);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/** Mutation names never drawn in a run (each should be, in a run of any size worth the name). */
export function undrawnMutations(tally: Tally): string[] {
  const drawn = new Set([...tally.mutations.keys()].map((key) => key.split(':')[0]));
  return MUTATIONS.map((m) => m.name).filter((name) => !drawn.has(name));
}

/**
 * The failures as a report: the seed and cases to replay them, then each, grouped by problem, with
 * its request as sent and what the server logged for it (`logsFor`, by request id).
 */
export function failureReport(seed: number, failures: Failure[], logsFor: (requestId: string) => string[] = () => [], limit = 40): string {
  const byProblem = new Map<string, Failure[]>();
  for (const failure of failures)
    for (const problem of failure.problems)
      byProblem.set(problem.replace(/\d{3,}/g, 'N'), [...(byProblem.get(problem.replace(/\d{3,}/g, 'N')) ?? []), failure]);
  const lines = [
    `${failures.length} answers failed (seed ${seed}). Replay with: FUZZ_SEED=${seed} FUZZ_CASES=${[...new Set(failures.map((f) => f.index))].slice(0, 20).join(',')}`,
  ];
  let shown = 0;
  for (const [problem, group] of byProblem) {
    lines.push(`- ${problem} (${group.length}×)`);
    for (const failure of group.slice(0, 3)) {
      if (shown++ >= limit) break;
      lines.push(`    ${failure.summary}`);
      lines.push(...failure.request.split('\n').map((line) => `        ${line}`));
      for (const log of failure.requestId ? logsFor(failure.requestId).slice(0, 3) : []) lines.push(`        server log: ${clip(log, 800)}`);
    }
  }
  return lines.join('\n');
}
