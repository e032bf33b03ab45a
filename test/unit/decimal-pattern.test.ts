import { describe, expect, it } from 'vitest';
import { decimalGreaterThanPattern } from '../../lib/private/decimal-pattern.js';

describe('decimalGreaterThanPattern (WAF Content-Length rule)', () => {
  it('matches exactly the integers above n, for every n and value up to 2,000 and around the body limit', () => {
    // Wrong answers are collected and compared once: ~330,000 checks as single expects are slow.
    const wrong: string[] = [];
    for (let n = 0; n <= 2000; n += 7) {
      const re = new RegExp(decimalGreaterThanPattern(n));
      for (let v = 0; v <= 2100; v++) if (re.test(String(v)) !== v > n) wrong.push(`${v} vs ${n}`);
    }
    for (const n of [4_620_288, 9, 99, 1_000_000, 999_999]) {
      const re = new RegExp(decimalGreaterThanPattern(n));
      for (let v = Math.max(0, n - 3000); v <= n + 3000; v++) if (re.test(String(v)) !== v > n) wrong.push(`${v} vs ${n}`);
      expect(re.test(String(n * 10))).toBe(true);
      expect(re.test(`${n}x`)).toBe(false);
      expect(re.test('')).toBe(false);
    }
    expect(wrong).toEqual([]);
  });

  it('refuses a negative or fractional bound', () => {
    expect(() => decimalGreaterThanPattern(-1)).toThrow();
    expect(() => decimalGreaterThanPattern(1.5)).toThrow();
  });
});
