import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app';
import { TEST_ADMIN_PASSWORD } from './test-app';

/** A username no other test (or earlier run against the same Redis) has used. */
export const uniqueName = (prefix = 'user') => `${prefix}_${randomBytes(4).toString('hex')}`;

export async function login(t: TestApp, username: string, password: string): Promise<string> {
  const res = await t.http().post('/api/token').send({ username, password }).expect(200);
  return res.body.access_token as string;
}

export const loginAdmin = (t: TestApp) => login(t, 'admin', TEST_ADMIN_PASSWORD);

export interface CreatedUser {
  id: string;
  username: string;
  password: string;
  email: string;
  token: string;
}

/** Creates a user through the API as admin and logs them in. */
export async function createUser(
  t: TestApp,
  adminToken: string,
  overrides: { role?: 'user' | 'operator' | 'admin'; username?: string } = {},
): Promise<CreatedUser> {
  const username = overrides.username ?? uniqueName();
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const email = `${username}@example.com`;
  const res = await t
    .http()
    .post('/create-user')
    .auth(adminToken, { type: 'bearer' })
    .send({ username, email, password, full_name: `Test ${username}`, role: overrides.role ?? 'user' })
    .expect(201);
  return { id: res.body.id, username, password, email, token: await login(t, username, password) };
}

export async function grantSubscription(t: TestApp, adminToken: string, username: string, days = 30): Promise<void> {
  await t.http().post('/grant-subscription').auth(adminToken, { type: 'bearer' }).send({ username, days }).expect(200);
}

/** Polls /task-status until the task finishes (SUCCESS or FAILURE) and answers its last status. */
export async function waitForTask(t: TestApp, token: string, taskId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http().get(`/task-status/${taskId}`).auth(token, { type: 'bearer' }).expect(200);
    if (res.body.state === 'SUCCESS' || res.body.state === 'FAILURE') return res.body;
    if (Date.now() > deadline) throw new Error(`Task ${taskId} still ${res.body.state} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Parses a simple CSV (no embedded newlines) into records keyed by its header. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const lines = text.trim().split('\n');
  const split = (line: string) => {
    const cells: string[] = [];
    let cell = '';
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
      const char = line[i];
      if (quoted && char === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (char === '"') {
        quoted = !quoted;
      } else if (char === ',' && !quoted) {
        cells.push(cell);
        cell = '';
      } else {
        cell += char;
      }
    }
    cells.push(cell);
    return cells;
  };
  const header = split(lines[0]);
  return lines.slice(1).map((line) => Object.fromEntries(split(line).map((value, i) => [header[i], value])));
}
