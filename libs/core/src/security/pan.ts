/** A run of 13 to 19 digits is a PAN candidate; Luhn decides whether it really is one. */
const PAN_CANDIDATE = /(?<!\d)\d{13,19}(?!\d)/g;

export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Keeps the first 6 and last 4 digits of a full PAN (PCI DSS display rule); anything else is returned as is. */
export function maskPan(value: string): string {
  const digits = value.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits)) return value;
  return `${digits.slice(0, 6)}${'*'.repeat(digits.length - 10)}${digits.slice(-4)}`;
}

/** Masks every Luhn-valid 13–19 digit run inside free text (log lines, rejected raw rows). */
export function maskPansInText(text: string): string {
  return text.replace(PAN_CANDIDATE, (run) => (luhnValid(run) ? maskPan(run) : run));
}
