import { isCalendarDate, isDateTimeWithOffset, NO_CONTROL_CHARACTERS } from './validators';
import { nestingDepth } from './body-depth.hook';

describe('isDateTimeWithOffset', () => {
  it.each(['2024-02-29T10:00:00+07:00', '2026-01-01T00:00:00Z', '2026-01-01T00:00Z', '2026-01-01T23:59:59.123456-14:00', '1000-01-01T00:00:00Z'])(
    'accepts %s',
    (value) => expect(isDateTimeWithOffset(value)).toBe(true),
  );

  it.each([
    ['2026-03-01T10:00:00', 'no offset'],
    ['2026-03-01', 'a date only'],
    ['2024-02-30T10:00:00Z', 'no such day'],
    ['2023-02-29T00:00:00Z', 'not a leap year'],
    ['2026-03-01T24:00:00Z', 'hour 24'],
    ['2024-01-01T00:00:00+99:99', 'offset minutes over 59'],
    ['2024-01-01T00:00:00+15:00', 'offset beyond ±14:00'],
    ['9999-12-31T23:59:59-14:00', 'UTC instant in year 10000'],
    ['0999-12-31T23:59:59Z', 'before year 1000'],
    ['2024-01-01T00:00:00+0700', 'offset without colon'],
  ])('refuses %s (%s)', (value, _why) => expect(isDateTimeWithOffset(value)).toBe(false));
});

describe('isCalendarDate', () => {
  it('accepts real dates and refuses impossible ones', () => {
    expect(isCalendarDate('2024-02-29')).toBe(true);
    expect(isCalendarDate('2023-02-29')).toBe(false);
    expect(isCalendarDate('2024-13-01')).toBe(false);
    expect(isCalendarDate('24-01-01')).toBe(false);
  });
});

describe('NO_CONTROL_CHARACTERS', () => {
  it('allows tab and line breaks, refuses NUL and other control characters', () => {
    expect(NO_CONTROL_CHARACTERS.test('line one\nline two\ttabbed\r\n')).toBe(true);
    expect(NO_CONTROL_CHARACTERS.test('a\u0000b')).toBe(false);
    expect(NO_CONTROL_CHARACTERS.test('bell\u0007')).toBe(false);
  });
});

describe('nestingDepth', () => {
  it('measures nesting without recursion, even for very deep values', () => {
    expect(nestingDepth('x')).toBe(0);
    expect(nestingDepth({ a: [1, { b: 2 }] })).toBe(3);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(nestingDepth(deep)).toBe(17);
  });
});
