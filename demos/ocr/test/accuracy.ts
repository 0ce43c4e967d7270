/** Levenshtein distance over code points, two rows of a typed array. */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let previous = Int32Array.from({ length: y.length + 1 }, (_, j) => j);
  let current = new Int32Array(y.length + 1);
  for (let i = 1; i <= x.length; i++) {
    current[0] = i;
    for (let j = 1; j <= y.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (x[i - 1] === y[j - 1] ? 0 : 1);
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
    }
    [previous, current] = [current, previous];
  }
  return previous[y.length] ?? 0;
}

/** 1 − editDistance / length of the expected text (clamped at 0). */
export function characterAccuracy(expected: string, actual: string): number {
  const length = [...expected].length;
  if (length === 0) return actual.length === 0 ? 1 : 0;
  return Math.max(0, 1 - editDistance(expected, actual) / length);
}
