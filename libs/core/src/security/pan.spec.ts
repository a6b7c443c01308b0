import { luhnValid, maskPan, maskPansInText } from './pan';

it('luhnValid refuses an empty or non-digit string', () => {
  expect(luhnValid('')).toBe(false);
  expect(luhnValid('4111 1111')).toBe(false);
});

describe('luhnValid', () => {
  it.each(['4111111111111111', '5555555555554444', '378282246310005', '4222222222222', '4111111111111111110'])('accepts the valid number %s', (digits) => {
    expect(luhnValid(digits)).toBe(true);
  });

  it.each(['4111111111111112', '5555555555554445', '4222222222223', '1234567812345678'])('rejects the invalid number %s', (digits) => {
    expect(luhnValid(digits)).toBe(false);
  });

  it('doubles every second digit from the right, subtracting 9 above 9', () => {
    // 59: 5 doubled is 10 -> 1, plus 9 = 10.
    expect(luhnValid('59')).toBe(true);
    // 95: 9 doubled is 18 -> 9, plus 5 = 14.
    expect(luhnValid('95')).toBe(false);
  });
});

describe('maskPan', () => {
  it('keeps the first 6 and last 4 digits of a 16-digit PAN', () => {
    expect(maskPan('4111111111111111')).toBe('411111******1111');
  });

  it('masks a 13-digit PAN with 3 stars', () => {
    expect(maskPan('4222222222222')).toBe('422222***2222');
  });

  it('masks a 19-digit PAN with 9 stars', () => {
    expect(maskPan('4111111111111111110')).toBe('411111*********1110');
  });

  it('removes spaces and dashes before masking', () => {
    expect(maskPan('4111 1111 1111 1111')).toBe('411111******1111');
    expect(maskPan('4111-1111-1111-1111')).toBe('411111******1111');
  });

  it.each(['hello', '', '123456789012', '12345678901234567890', '4111a111111111111', '4111.1111.1111.1111'])('returns the non-PAN %p unchanged', (value) => {
    expect(maskPan(value)).toBe(value);
  });

  it('leaves an already-masked PAN unchanged', () => {
    expect(maskPan('411111******1111')).toBe('411111******1111');
  });
});

describe('maskPansInText', () => {
  it('masks a Luhn-valid 16-digit run inside text', () => {
    expect(maskPansInText('card 4111111111111111 declined')).toBe('card 411111******1111 declined');
  });

  it('masks every PAN in the text, of any length from 13 to 19', () => {
    expect(maskPansInText('a=4222222222222;b=5555555555554444,c=4111111111111111110.')).toBe('a=422222***2222;b=555555******4444,c=411111*********1110.');
  });

  it('masks a PAN touching letters', () => {
    expect(maskPansInText('pan:4111111111111111end')).toBe('pan:411111******1111end');
  });

  it('leaves a 20-digit run alone, even when it is Luhn-valid', () => {
    expect(luhnValid('41111111111111111115')).toBe(true);
    expect(maskPansInText('ref 41111111111111111115')).toBe('ref 41111111111111111115');
  });

  it('leaves a Luhn-invalid 16-digit run alone', () => {
    expect(maskPansInText('order 4111111111111112 shipped')).toBe('order 4111111111111112 shipped');
  });

  it('leaves runs shorter than 13 digits alone', () => {
    expect(maskPansInText('id 000000000000 and 422222222222')).toBe('id 000000000000 and 422222222222');
  });

  it('returns text without digits unchanged', () => {
    expect(maskPansInText('nothing to see')).toBe('nothing to see');
  });
});
