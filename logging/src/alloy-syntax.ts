/**
 * A parser for the Alloy configuration syntax (blocks, attributes, strings, raw strings, numbers,
 * booleans, arrays, objects, references), enough to read logging/alloy/config.alloy: Alloy's own
 * `alloy fmt` / `alloy validate` are not installable here, so the file is parsed and its pipeline
 * compared with Promtail's instead. Throws with the line of the first syntax error.
 */

export type AlloyValue =
  string | number | boolean | null | AlloyValue[] | { [key: string]: AlloyValue } | { ref: string };

export interface AlloyBlock {
  /** Dotted name, e.g. `loki.process` or `stage.json`. */
  name: string;
  /** The label of `loki.process "shop"`, when there is one. */
  label?: string;
  attributes: Record<string, AlloyValue>;
  blocks: AlloyBlock[];
}

type Token = { kind: 'ident' | 'string' | 'number' | 'punct'; text: string; line: number };

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const fail = (message: string): never => {
    throw new Error(`alloy: line ${line}: ${message}`);
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (/\s/.test(c)) i++;
    else if (source.startsWith('//', i)) while (i < source.length && source[i] !== '\n') i++;
    else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) fail('unterminated comment');
      line += source.slice(i, end).split('\n').length - 1;
      i = end + 2;
    } else if (c === '"') {
      let j = i + 1;
      let text = '';
      while (source[j] !== '"') {
        if (j >= source.length || source[j] === '\n') fail('unterminated string');
        if (source[j] === '\\') {
          const e = source[j + 1];
          text +=
            e === 'n' ? '\n' : e === 't' ? '\t' : e === '"' || e === '\\' ? e : fail(`bad escape \\${e}`);
          j += 2;
        } else text += source[j++];
      }
      tokens.push({ kind: 'string', text, line });
      i = j + 1;
    } else if (c === '`') {
      const end = source.indexOf('`', i + 1);
      if (end < 0) fail('unterminated raw string');
      const text = source.slice(i + 1, end);
      tokens.push({ kind: 'string', text, line });
      line += text.split('\n').length - 1;
      i = end + 1;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i;
      while (j < source.length && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      tokens.push({ kind: 'ident', text: source.slice(i, j), line });
      i = j;
    } else if (/[0-9-]/.test(c)) {
      let j = i + 1;
      while (j < source.length && /[0-9.]/.test(source[j]!)) j++;
      tokens.push({ kind: 'number', text: source.slice(i, j), line });
      i = j;
    } else if ('{}[](),=.'.includes(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else fail(`unexpected character ${JSON.stringify(c)}`);
  }
  return tokens;
}

/** Parses an Alloy file into its top-level blocks. */
export function parseAlloy(source: string): AlloyBlock[] {
  const tokens = tokenize(source);
  let pos = 0;
  const peek = (offset = 0) => tokens[pos + offset];
  const fail = (message: string): never => {
    throw new Error(`alloy: line ${peek()?.line ?? 'end'}: ${message}`);
  };
  const expect = (text: string) => {
    if (peek()?.text !== text) fail(`expected ${text}, found ${peek()?.text ?? 'the end'}`);
    pos++;
  };
  const dotted = () => {
    let name = peek()!.text;
    pos++;
    while (peek()?.text === '.' && peek(1)?.kind === 'ident') {
      name += `.${peek(1)!.text}`;
      pos += 2;
    }
    return name;
  };

  function value(): AlloyValue {
    const t = peek() ?? fail('expected a value');
    if (t.kind === 'string') return (pos++, t.text);
    if (t.kind === 'number') return (pos++, Number(t.text));
    if (t.text === '[') {
      pos++;
      const items: AlloyValue[] = [];
      while (peek()?.text !== ']') {
        items.push(value());
        if (peek()?.text === ',') pos++;
        else if (peek()?.text !== ']') fail('expected , or ] in an array');
      }
      pos++;
      return items;
    }
    if (t.text === '{') {
      pos++;
      const object: Record<string, AlloyValue> = {};
      while (peek()?.text !== '}') {
        const key = peek();
        if (key?.kind !== 'ident' && key?.kind !== 'string') fail('expected an object key');
        pos++;
        expect('=');
        object[key!.text] = value();
        if (peek()?.text === ',') pos++;
        else if (peek()?.text !== '}') fail('expected , or } in an object');
      }
      pos++;
      return object;
    }
    if (t.kind === 'ident') {
      if (t.text === 'true' || t.text === 'false') return (pos++, t.text === 'true');
      if (t.text === 'null') return (pos++, null);
      const ref = dotted();
      if (peek()?.text === '(') fail(`function calls (${ref}) are not used here`);
      return { ref };
    }
    return fail(`unexpected ${t.text}`);
  }

  function body(closing: string | undefined): Pick<AlloyBlock, 'attributes' | 'blocks'> {
    const attributes: Record<string, AlloyValue> = {};
    const blocks: AlloyBlock[] = [];
    while (peek() && peek()!.text !== closing) {
      if (peek()!.kind !== 'ident') fail(`expected an attribute or a block, found ${peek()!.text}`);
      if (peek(1)?.text === '=') {
        const name = peek()!.text;
        pos += 2;
        if (name in attributes) fail(`attribute ${name} set twice`);
        attributes[name] = value();
        continue;
      }
      const name = dotted();
      const label = peek()?.kind === 'string' ? tokens[pos++]!.text : undefined;
      expect('{');
      blocks.push({ name, ...(label === undefined ? {} : { label }), ...body('}') });
      expect('}');
    }
    return { attributes, blocks };
  }

  const top = body(undefined);
  if (Object.keys(top.attributes).length) fail('attributes outside a block');
  return top.blocks;
}
