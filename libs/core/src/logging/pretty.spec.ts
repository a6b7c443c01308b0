import { logFormatFor } from './pretty';

describe('logFormatFor', () => {
  it.each([
    ['development', true, 'pretty'],
    ['test', true, 'pretty'],
    ['production', true, 'json'],
    ['development', false, 'json'],
    ['development', undefined, 'json'],
    ['production', false, 'json'],
  ] as const)('NODE_ENV=%s, stdout a terminal: %s → %s', (nodeEnv, isTTY, format) => {
    expect(logFormatFor(nodeEnv, isTTY)).toBe(format);
  });
});
