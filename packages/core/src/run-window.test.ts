import { describe, expect, it } from 'vitest';
import { RunWindow } from './run-window.js';

describe('RunWindow', () => {
  it('says when the window has filled, every `size` adds', () => {
    const window = new RunWindow(4);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((us) => window.add(us))).toEqual([
      false,
      false,
      false,
      true,
      false,
      false,
      false,
      true,
    ]);
  });

  it('takes the median of the last `size` durations: outliers under half the window do not move it', () => {
    const window = new RunWindow(4);
    for (const us of [50, 9_000, 50, 60]) window.add(us);
    expect(window.median()).toBe(55);
    for (const us of [300, 300, 300, 10]) window.add(us);
    expect(window.median()).toBe(300);
    const odd = new RunWindow(3);
    for (const us of [7, 1, 4_000]) odd.add(us);
    expect(odd.median()).toBe(7);
  });

  it('sorts numerically, not as text', () => {
    const window = new RunWindow(3);
    for (const us of [100, 20, 3]) window.add(us);
    expect(window.median()).toBe(20);
  });
});
