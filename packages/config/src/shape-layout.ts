import { ANONYMOUS_INPUT_NAME } from '@ovms/core';
import type { ShapeDim, ShapeSetting } from './server-config.js';
import { fail, ok, show } from './setting-result.js';
import type { SettingResult } from './setting-result.js';

const DIM = /^(?:-1|\d+)$/;
const RANGE = /^(\d+):(\d+)$/;
// Layout letters OVMS accepts (LayoutConfiguration::fromString), `?` = any, `...` = the rest.
const LAYOUT = /^[NCHWD?.]+$/;

/**
 * Parses one OVMS shape string: `auto` or `(d0,d1,...)` where each dimension is -1 (dynamic),
 * a non-negative integer or a range `min:max` (OVMS `Shape::fromString`). Spaces are ignored.
 */
export function parseShapeText(text: string): SettingResult<ShapeSetting> {
  if (text.trim() === 'auto') return ok('auto');
  const compact = text.replace(/\s+/g, '');
  const inner = /^\(([^()]+)\)$/.exec(compact)?.[1];
  if (inner === undefined)
    return fail(
      `invalid shape ${show(text)} - expected "auto" or dimensions in parentheses like "(1,3,224,224)"`,
    );
  const dims: ShapeDim[] = [];
  for (const token of inner.split(',')) {
    if (DIM.test(token)) {
      const dim = Number(token);
      if (!Number.isSafeInteger(dim))
        return fail(`invalid shape ${show(text)} - ${token} is too large`);
      dims.push(dim);
      continue;
    }
    const range = RANGE.exec(token);
    if (range) {
      const min = Number(range[1]);
      const max = Number(range[2]);
      if (min >= max)
        return fail(`invalid shape ${show(text)} - range ${token} must have max greater than min`);
      dims.push({ min, max });
      continue;
    }
    return fail(
      `invalid shape ${show(text)} - dimension ${show(token)} must be -1, a non-negative integer or a range min:max`,
    );
  }
  return ok(dims);
}

/**
 * Parses the `shape` setting in any form OVMS accepts: a bare shape string (applied to the single
 * input, keyed by ANONYMOUS_INPUT_NAME), an object `{input: shape}`, or that object as a JSON
 * string (the CLI form). JSON arrays are refused, as OVMS's schema refuses them.
 */
export function parseShapeSetting(value: unknown): SettingResult<Record<string, ShapeSetting>> {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!trimmed.startsWith('{')) {
      const shape = parseShapeText(trimmed);
      return shape.ok ? ok({ [ANONYMOUS_INPUT_NAME]: shape.value }) : shape;
    }
    const parsed = parseJsonObject(trimmed, 'shape');
    return parsed.ok ? parsePerTensor(parsed.value, 'shape', parseShapeText) : parsed;
  }
  if (isPlainObject(value)) return parsePerTensor(value, 'shape', parseShapeText);
  return fail(
    `expected a shape string like "(1,3,224,224)", "auto" or an object of per-input shapes; got ${show(value)}`,
  );
}

/** Parses one layout: `NHWC:NCHW` (request layout : model layout) or `NCHW`; upper-cased like OVMS. */
export function parseLayoutText(text: string): SettingResult<string> {
  const normalized = text.replace(/\s+/g, '').toUpperCase();
  const parts = normalized.split(':');
  if (parts.length > 2 || parts.some((part) => !LAYOUT.test(part)))
    return fail(
      `invalid layout ${show(text)} - expected a layout like "NCHW" or "NHWC:NCHW" (letters N, C, H, W, D, ?, ...)`,
    );
  return ok(normalized);
}

/** Parses the `layout` setting: a bare layout (ANONYMOUS_INPUT_NAME), an object, or an object as JSON. */
export function parseLayoutSetting(value: unknown): SettingResult<Record<string, string>> {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if (!trimmed.startsWith('{')) {
      const layout = parseLayoutText(trimmed);
      return layout.ok ? ok({ [ANONYMOUS_INPUT_NAME]: layout.value }) : layout;
    }
    const parsed = parseJsonObject(trimmed, 'layout');
    return parsed.ok ? parsePerTensor(parsed.value, 'layout', parseLayoutText) : parsed;
  }
  if (isPlainObject(value)) return parsePerTensor(value, 'layout', parseLayoutText);
  return fail(
    `expected a layout string like "NHWC:NCHW" or an object of per-tensor layouts; got ${show(value)}`,
  );
}

function parsePerTensor<T>(
  object: Record<string, unknown>,
  what: string,
  parseOne: (text: string) => SettingResult<T>,
): SettingResult<Record<string, T>> {
  const out: Record<string, T> = {};
  for (const [name, text] of Object.entries(object)) {
    if (typeof text !== 'string')
      return fail(`${what} of ${show(name)} must be a string; got ${show(text)}`);
    const parsed = parseOne(text);
    if (!parsed.ok) return fail(`${what} of ${show(name)}: ${parsed.message}`);
    out[name] = parsed.value;
  }
  return ok(out);
}

/** Parses a JSON text that must hold an object (CLI flags and string-valued settings). */
export function parseJsonObject(
  text: string,
  what: string,
): SettingResult<Record<string, unknown>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return fail(`${what} is not valid JSON: ${(error as Error).message}`);
  }
  if (!isPlainObject(parsed)) return fail(`${what} must be a JSON object; got ${show(parsed)}`);
  return ok(parsed);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
