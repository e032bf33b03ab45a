/**
 * A regular expression that matches exactly the decimal integers greater than `n` (no sign, no
 * leading zeros), for WAF rules that compare a numeric header such as Content-Length: WAF has no
 * numeric comparison on header values, only regex and size (of the text) matches.
 */
export function decimalGreaterThanPattern(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`decimalGreaterThanPattern needs a non-negative integer, got ${n}`);
  const s = String(n);
  const alternatives = [`[1-9][0-9]{${s.length},}`]; // more digits
  for (let i = 0; i < s.length; i++) {
    const digit = Number(s[i]);
    if (digit === 9) continue;
    // Same prefix, a larger digit here, anything after.
    const rest = s.length - i - 1;
    alternatives.push(`${s.slice(0, i)}[${digit + 1}-9]${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^(${alternatives.join('|')})$`;
}
