import { withTimeout } from './with-timeout';

describe('withTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it('answers what the promise answers in time, success or failure', async () => {
    await expect(withTimeout(Promise.resolve(7), 50)).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('refused')), 50)).rejects.toThrow('refused');
  });

  it('rejects once the time is up, saying so', async () => {
    jest.useFakeTimers();
    const hanging = withTimeout(new Promise(() => undefined), 100, 'cache gave no answer');
    jest.advanceTimersByTime(100);
    await expect(hanging).rejects.toThrow('cache gave no answer within 100 ms');
  });

  it('leaves no timer behind once answered', async () => {
    jest.useFakeTimers();
    await withTimeout(Promise.resolve('done'), 10_000);
    expect(jest.getTimerCount()).toBe(0);
  });
});
