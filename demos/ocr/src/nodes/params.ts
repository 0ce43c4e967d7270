import type { CustomNodeParams } from '@ovms/dag';

interface NumberRange {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
}

/**
 * A numeric node param, or `fallback` when absent. A malformed value throws, which fails
 * the pipeline at initialization with the param named, rather than at the first request.
 */
export function numberParam(
  params: CustomNodeParams,
  key: string,
  fallback: number,
  range: NumberRange = {},
): number {
  const text = params[key];
  if (text === undefined) return fallback;
  const value = Number(text);
  const { min = -Infinity, max = Infinity, integer = false } = range;
  if (
    text.trim() === '' ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    const kind = integer ? 'an integer' : 'a number';
    throw new Error(`param ${key} must be ${kind} in [${min}, ${max}]; actual: "${text}"`);
  }
  return value;
}

/** One of a fixed set of words, or `fallback` when absent. */
export function choiceParam<T extends string>(
  params: CustomNodeParams,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const text = params[key];
  if (text === undefined) return fallback;
  const choice = choices.find((candidate) => candidate === text);
  if (choice === undefined) {
    throw new Error(`param ${key} must be one of ${choices.join(', ')}; actual: "${text}"`);
  }
  return choice;
}
