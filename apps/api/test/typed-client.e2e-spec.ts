import { TEST_ADMIN_PASSWORD, TestApp, createTestApp, parseCsv, uniqueName } from '@app/testing';
import { ApiClient, components, createApiClient, formData, urlEncoded } from '../../../clients/typescript';

/**
 * What the README shows frontends, run as a frontend runs it: the typed client (clients/typescript)
 * over real HTTP against the app listening on an ephemeral port, every call typed by the committed
 * document. An operator uploads a settlement file, lists its records and downloads an extract of
 * them; a user is refused an extract until an admin grants a subscription, then gets one.
 */

type TaskStatus = components['schemas']['TaskStatusResponse'];

const HEADER = 'DOC_IDT,TRANS_DATE,TRANS_TIME,AMOUNT,CURRENCY,CARD_NO,MERCHANT_ID,TERMINAL_ID,MCC,RRN,AUTH_CODE,TRANS_TYPE,FEE,SETTLE_DATE';
/** Dates nothing else in this app holds (the shipped sample is in 2025), so listing them shows exactly these rows. */
const ROWS = [
  'TC-1,2024-02-28,09:15:00,125000,VND,970405******5868,MCH000000001,TID00000001,5411,400000000001,AUTH01,PURCHASE,1250,2024-02-29',
  'TC-2,2024-02-29,23:59:59,-40000.5,VND,411111******1111,MCH000000001,TID00000002,5411,400000000002,AUTH02,REFUND,,2024-03-01',
  'TC-3,2024-02-29,00:00:00,9999999999999.99,USD,520082******5415,MCH000000002,TID00000003,5812,400000000003,AUTH03,PURCHASE,0.01,2024-03-01',
];
const RECORDS = {
  'TC-1': {
    TRANS_DATE: '2024-02-28',
    TRANS_TIME: '09:15:00',
    AMOUNT: '125000.00',
    CURRENCY: 'VND',
    CARD_NO: '970405******5868',
    TRANS_TYPE: 'PURCHASE',
    FEE: '1250.00',
  },
  'TC-2': {
    TRANS_DATE: '2024-02-29',
    TRANS_TIME: '23:59:59',
    AMOUNT: '-40000.50',
    CURRENCY: 'VND',
    CARD_NO: '411111******1111',
    TRANS_TYPE: 'REFUND',
    FEE: null,
  },
  'TC-3': {
    TRANS_DATE: '2024-02-29',
    TRANS_TIME: '00:00:00',
    AMOUNT: '9999999999999.99',
    CURRENCY: 'USD',
    CARD_NO: '520082******5415',
    TRANS_TYPE: 'PURCHASE',
    FEE: '0.01',
  },
};

describe('a frontend through the typed client', () => {
  let t: TestApp;
  let baseUrl: string;
  let admin: ApiClient;

  /** POST /token as a login form sends it, then a client that carries the token. */
  async function signIn(username: string, password: string): Promise<ApiClient> {
    const { data, error } = await createApiClient({ baseUrl }).POST('/token', {
      body: { username, password },
      bodySerializer: urlEncoded,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(error).toBeUndefined();
    expect(data).toMatchObject({ token_type: 'bearer', expires_in: expect.any(Number) });
    return createApiClient({ baseUrl, token: data!.access_token });
  }

  async function newUser(role: 'user' | 'operator') {
    const username = uniqueName(role);
    const password = `pw-${username}`;
    const { data, response } = await admin.POST('/create-user', {
      body: { username, password, email: `${username}@example.com`, full_name: `Test ${username}`, role },
    });
    expect(response.status).toBe(201);
    expect(data).toMatchObject({ username, role });
    return { username, api: await signIn(username, password) };
  }

  /** Follows /task-status as a page's progress bar would, until the task ends. */
  async function finished(api: ApiClient, taskId: string): Promise<TaskStatus> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const { data, error } = await api.GET('/task-status/{task_id}', { params: { path: { task_id: taskId } } });
      expect(error).toBeUndefined();
      if (data!.state === 'SUCCESS' || data!.state === 'FAILURE') return data!;
      if (Date.now() > deadline) throw new Error(`task ${taskId} still ${data!.state}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function download(api: ApiClient, taskId: string): Promise<string> {
    const { data, error, response } = await api.GET('/extracts/{task_id}/download', { params: { path: { task_id: taskId } }, parseAs: 'text' });
    expect(error).toBeUndefined();
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    return data!;
  }

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    baseUrl = await t.app.getUrl();
    admin = await signIn('admin', TEST_ADMIN_PASSWORD);
  });
  afterAll(() => t.close());

  it('an operator uploads a settlement file, lists its records, and downloads an extract of them', async () => {
    const { api: operator } = await newUser('operator');

    const upload = await operator.POST('/api/settlement/files', {
      body: { file: new File([[HEADER, ...ROWS].join('\n') + '\n'], 'typed-client.csv', { type: 'text/csv' }) },
      bodySerializer: formData,
    });
    expect(upload.response.status).toBe(202);
    const load = await finished(operator, upload.data!.task_id);
    expect(load).toMatchObject({ state: 'SUCCESS', error: null });
    const file = await operator.GET('/api/settlement/files/{id}', { params: { path: { id: upload.data!.file_id } } });
    expect(file.data).toMatchObject({ name: 'typed-client.csv', status: 'completed', rows_loaded: 3, rows_rejected: 0 });

    const page = await operator.GET('/api/transactions', {
      params: { query: { date_from: '2024-02-28', date_to: '2024-02-29', sort_by: 'AMOUNT', sort_order: 'desc', limit: 10 } },
    });
    expect(page.error).toBeUndefined();
    expect(page.data).toMatchObject({ total: 3, skip: 0, limit: 10 });
    expect(page.data!.transactions.map((record) => record.DOC_IDT)).toEqual(['TC-3', 'TC-1', 'TC-2']);
    for (const record of page.data!.transactions) expect(record).toMatchObject(RECORDS[record.DOC_IDT as keyof typeof RECORDS]);

    const requested = await operator.POST('/generate-data', {
      body: { source: 'settlement', start_date: '2024-02-28', end_date: '2024-02-29', aggregation: 'day', detailed: true },
    });
    expect(requested.response.status).toBe(202);
    expect(requested.data!.status_url).toBe(`/task-status/${requested.data!.task_id}`);
    const status = await finished(operator, requested.data!.task_id);
    expect(status).toMatchObject({ state: 'SUCCESS', error: null, progress: { done: 3, total: 3, percent: 100 } });
    expect(status.result).toMatchObject({ rows: 3, download_url: `/extracts/${requested.data!.task_id}/download` });

    const rows = parseCsv(await download(operator, requested.data!.task_id));
    // Ordered by TRANS_DATE then DOC_IDT; a missing fee is an empty cell.
    expect(rows.map((row) => [row.period_start, row.DOC_IDT, row.AMOUNT, row.CURRENCY, row.CARD_NO, row.FEE])).toEqual([
      ['2024-02-28', 'TC-1', '125000.00', 'VND', '970405******5868', '1250.00'],
      ['2024-02-29', 'TC-2', '-40000.50', 'VND', '411111******1111', ''],
      ['2024-02-29', 'TC-3', '9999999999999.99', 'USD', '520082******5415', '0.01'],
    ]);
  });

  it('a user is refused an extract until an admin grants a subscription, then downloads it', async () => {
    const { username, api: user } = await newUser('user');
    for (const [amount, occurred_at] of [
      ['100.00', '2025-03-02T10:00:00Z'],
      ['10.25', '2025-03-15T23:59:59+07:00'],
      ['-3.10', '2025-03-31T23:59:59Z'],
    ]) {
      const created = await user.POST('/create-transaction', { body: { amount, currency: 'USD', occurred_at, category: 'food' } });
      expect(created.response.status).toBe(201);
    }
    const march = { start_date: '2025-03-01', end_date: '2025-03-31', aggregation: 'month' } as const;

    const refused = await user.POST('/generate-data', { body: march });
    expect(refused.response.status).toBe(403);
    expect(refused.error).toMatchObject({ statusCode: 403, message: expect.stringMatching(/subscription/) });

    const granted = await admin.POST('/grant-subscription', { body: { username, days: 30 } });
    expect(granted.response.status).toBe(200);

    const requested = await user.POST('/generate-data', { body: march });
    expect(requested.response.status).toBe(202);
    expect(await finished(user, requested.data!.task_id)).toMatchObject({ state: 'SUCCESS', result: { rows: 1 } });
    expect(parseCsv(await download(user, requested.data!.task_id))).toEqual([
      { period_start: '2025-03-01', currency: 'USD', count: '3', total: '107.15', inflow: '110.25', outflow: '-3.10', min: '-3.10', max: '100.00' },
    ]);
  });
});
