/** Outcome of parsing one OVMS setting: a value, or a message saying what was expected. */
export type SettingResult<T> = { readonly ok: true; readonly value: T } | SettingFailure;

export interface SettingFailure {
  readonly ok: false;
  readonly message: string;
}

export function ok<T>(value: T): SettingResult<T> {
  return { ok: true, value };
}

export function fail(message: string): SettingFailure {
  return { ok: false, message };
}

/** JSON.stringify for messages: shows strings quoted and objects compactly. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
