/** A number for a table cell: `–` for nothing, else at most three significant decimals. */
export function formatNumber(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '–';
  return value.toFixed(value !== 0 && Math.abs(value) < 1 ? Math.max(digits, 2) : digits);
}

/** The last non-null value of a series. */
export function lastValue(values: readonly (number | null)[] | undefined): number | null {
  if (values === undefined) return null;
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const value = values[i];
    if (value !== null && value !== undefined) return value;
  }
  return null;
}
