/**
 * Locates the first JSON syntax error in `text` and describes it as
 * `<reason> at line L, column C`. V8's JSON.parse messages differ across Node versions (some
 * carry no position at all), so config errors are worded here, the same everywhere.
 * Call it only for text JSON.parse refused.
 */
export function describeJsonError(text: string): string {
  const { offset, reason } = locate(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `${reason} at line ${line}, column ${column}`;
}

class Failure extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function locate(text: string): { offset: number; reason: string } {
  let i = 0;
  const fail = (reason?: string): never => {
    if (i >= text.length) throw new Failure(text.length, 'Unexpected end of input');
    throw new Failure(i, reason ?? `Unexpected character ${JSON.stringify(text[i])}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i += 1;
  };
  const expect = (char: string) => (text[i] === char ? (i += 1) : fail());
  const string = () => {
    expect('"');
    while (i < text.length && text[i] !== '"') {
      const code = text.charCodeAt(i);
      if (code < 0x20) fail('Unescaped control character in string');
      if (text[i] === '\\') {
        i += 1;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('Bad unicode escape');
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail('Bad escaped character');
      }
      i += 1;
    }
    expect('"');
  };
  const value = (): void => {
    ws();
    const char = text[i];
    if (char === '{') return object();
    if (char === '[') return array();
    if (char === '"') return string();
    const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
      text.slice(i, i + 400),
    );
    if (!literal) fail();
    i += literal?.[0].length ?? 0;
  };
  const object = () => {
    expect('{');
    ws();
    if (text[i] === '}') return void (i += 1);
    for (;;) {
      ws();
      if (text[i] !== '"') fail('Expected a double-quoted property name');
      string();
      ws();
      expect(':');
      value();
      ws();
      if (text[i] === '}') return void (i += 1);
      if (text[i] !== ',') fail(`Expected ',' or '}' after a property value`);
      i += 1;
    }
  };
  const array = () => {
    expect('[');
    ws();
    if (text[i] === ']') return void (i += 1);
    for (;;) {
      value();
      ws();
      if (text[i] === ']') return void (i += 1);
      if (text[i] !== ',') fail(`Expected ',' or ']' after an array element`);
      i += 1;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail(`Unexpected ${JSON.stringify(text[i])} after the JSON value`);
  } catch (error) {
    if (error instanceof Failure) return { offset: error.offset, reason: error.reason };
    throw error;
  }
  // JSON.parse refused what this scanner accepts (not expected): point at the end.
  return { offset: text.length, reason: 'Invalid JSON' };
}
