import { z } from 'zod';
import type { SettingResult } from './setting-result.js';

/**
 * Wraps a setting parser as a zod field: absent stays undefined, a failure becomes one issue at
 * the field's JSON path with the parser's message. Lets config.json and the CLI share parsers.
 */
export function setting<T>(parse: (value: unknown) => SettingResult<T>) {
  // `.optional()` outside the transform: zod treats a transformed field as required otherwise.
  return z
    .unknown()
    .transform((value, ctx): T => {
      const result = parse(value);
      if (result.ok) return result.value;
      ctx.issues.push({ code: 'custom', message: result.message, input: value });
      return z.NEVER;
    })
    .optional();
}

/** An OVMS key ovms-ts knowingly does not implement: named as such rather than as unknown. */
export function unsupported(what: string) {
  return z
    .unknown()
    .transform((value, ctx) => {
      ctx.issues.push({
        code: 'custom',
        message: `${what} is an OVMS feature that ovms-ts does not support`,
        input: value,
      });
      return z.NEVER;
    })
    .optional();
}

export const nonNegativeInt = z.number().int().min(0);
