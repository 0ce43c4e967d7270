const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/**
 * Formats a path inside a JSON document the way a reader writes it:
 * `model_config_list[0].config.nireq`, `plugin_config["A-B"]`; the empty path is `(root)`.
 */
export function formatJsonPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && IDENTIFIER.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out || '(root)';
}
