/**
 * The metric names a PromQL expression reads, found by a small tokenizer (strings, label matchers,
 * grouping lists, ranges and function names are told apart from metric selectors). Enough for the
 * expressions monitoring/ writes; it does not validate PromQL (promtool and Prometheus do that).
 */

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'atan2',
  'inf',
  'nan',
  // Aggregations, which may be followed by `by (...)` before their parenthesis.
  'sum',
  'min',
  'max',
  'avg',
  'group',
  'stddev',
  'stdvar',
  'count',
  'count_values',
  'bottomk',
  'topk',
  'quantile',
  'limitk',
  'limit_ratio',
]);
/** Keywords followed by a parenthesised list of label names (not an expression). */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

interface Token {
  kind: 'ident' | 'string' | 'punct' | 'number' | 'other';
  text: string;
}

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < expr.length && expr[i] !== '\n') i++;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < expr.length && expr[j] !== c) j += expr[j] === '\\' && c !== '`' ? 2 : 1;
      tokens.push({ kind: 'string', text: expr.slice(i + 1, j) });
      i = j + 1;
    } else if (/[A-Za-z_:]/.test(c)) {
      let j = i;
      while (j < expr.length && /[A-Za-z0-9_:]/.test(expr[j]!)) j++;
      tokens.push({ kind: 'ident', text: expr.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(expr[i + 1] ?? ''))) {
      // Numbers and durations (0.5, 1e3, 5m, 1h30m): never metric names.
      let j = i;
      while (j < expr.length && /[0-9A-Za-z_.]/.test(expr[j]!)) j++;
      tokens.push({ kind: 'number', text: expr.slice(i, j) });
      i = j;
    } else if ('(){}[],'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      tokens.push({ kind: 'other', text: c });
      i++;
    }
  }
  return tokens;
}

/** Metric names read by `expr` (selectors `name{...}`, `name[5m]`, `{__name__="name"}`), sorted. */
export function metricNames(expr: string): string[] {
  const tokens = tokenize(expr);
  const names = new Set<string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'punct' && t.text === '[') {
      // A range or subquery resolution: durations only.
      while (i < tokens.length && tokens[i]!.text !== ']') i++;
      continue;
    }
    if (t.kind === 'punct' && t.text === '{') {
      // Label matchers: `name op "value"` pairs; only __name__ matchers name a metric.
      for (i++; i < tokens.length && tokens[i]!.text !== '}'; i++) {
        const label = tokens[i]!;
        if (label.kind === 'ident' && label.text === '__name__') {
          const op = tokens[i + 1]?.text;
          const value = tokens.find((x, k) => k > i && x.kind === 'string');
          if (op === '=' && tokens[i + 2]?.text !== '~' && value) names.add(value.text);
        }
      }
      continue;
    }
    if (t.kind !== 'ident') continue;
    if (LABEL_LISTS.has(t.text) && tokens[i + 1]?.text === '(') {
      while (i < tokens.length && tokens[i]!.text !== ')') i++;
      continue;
    }
    if (KEYWORDS.has(t.text.toLowerCase())) continue;
    if (tokens[i + 1]?.text === '(') continue; // a function or aggregation
    names.add(t.text);
  }
  return [...names].sort();
}

/**
 * Metric names of a Grafana query: PromQL, or a template variable's `label_values(selector, label)`,
 * `query_result(expr)`, `metrics(regex)` (the latter names none).
 */
export function grafanaQueryMetricNames(query: string): string[] {
  const labelValues = /^\s*label_values\((.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/s.exec(query);
  if (labelValues) return metricNames(labelValues[1]!);
  const queryResult = /^\s*query_result\((.*)\)\s*$/s.exec(query);
  if (queryResult) return metricNames(queryResult[1]!);
  // Grafana's own variables ($__rate_interval, $service) are not PromQL identifiers after `$`.
  return metricNames(query.replace(/\$\{?[A-Za-z_][A-Za-z0-9_:]*\}?/g, '1'));
}
