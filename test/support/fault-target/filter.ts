/**
 * A small SCIM filter evaluator for the fault target (RFC 7644 §3.4.2.2): comparisons
 * (eq ne co sw ew gt ge lt le pr), and / or / not, parentheses and value paths such as
 * `emails[type eq "work" and value eq "x"]`. It scans memory — it is a test double, not the
 * product's filter compiler. Strings compare case-insensitively except `id`.
 */
type Resource = Record<string, unknown>;
type Predicate = (r: Resource) => boolean;

const TOKEN = /\s*(\(|\)|\[|\]|"(?:[^"\\]|\\.)*"|[^\s()[\]]+)/y;

function tokenize(filter: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TOKEN.exec(filter)) !== null) tokens.push(m[1]!);
  return tokens;
}

function literal(token: string): unknown {
  if (token.startsWith('"')) return JSON.parse(token);
  if (token === 'true') return true;
  if (token === 'false') return false;
  if (token === 'null') return null;
  if (/^-?\d+(\.\d+)?$/.test(token)) return Number(token);
  return token; // Entra sends unquoted values now and then
}

/** Values at a dotted attribute path; multi-valued attributes flatten. */
function valuesAt(r: unknown, path: string): unknown[] {
  let current: unknown[] = [r];
  for (const part of path.split('.')) {
    const next: unknown[] = [];
    for (const c of current) {
      if (c === null || typeof c !== 'object') continue;
      const key = Object.keys(c).find((k) => k.toLowerCase() === part.toLowerCase());
      const v = key === undefined ? undefined : (c as Resource)[key];
      if (Array.isArray(v)) next.push(...v);
      else if (v !== undefined && v !== null) next.push(v);
    }
    current = next;
  }
  return current;
}

function compare(op: string, actual: unknown, expected: unknown, caseExact: boolean): boolean {
  if (op === 'pr') return actual !== undefined && actual !== null && actual !== '';
  const norm = (v: unknown) => (typeof v === 'string' && !caseExact ? v.toLowerCase() : v);
  const a = norm(actual);
  const e = norm(expected);
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return typeof a === 'string' && a.includes(String(e));
    case 'sw':
      return typeof a === 'string' && a.startsWith(String(e));
    case 'ew':
      return typeof a === 'string' && a.endsWith(String(e));
    case 'gt':
      return (a as number) > (e as number);
    case 'ge':
      return (a as number) >= (e as number);
    case 'lt':
      return (a as number) < (e as number);
    case 'le':
      return (a as number) <= (e as number);
    default:
      throw new Error(`unsupported operator ${op}`);
  }
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Predicate {
    const p = this.or();
    if (this.i < this.tokens.length) throw new Error(`unexpected ${this.tokens[this.i]}`);
    return p;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new Error('unexpected end of filter');
    return t;
  }

  private or(): Predicate {
    let left = this.and();
    while (this.peek()?.toLowerCase() === 'or') {
      this.i++;
      const l = left;
      const r = this.and();
      left = (x) => l(x) || r(x);
    }
    return left;
  }

  private and(): Predicate {
    let left = this.unary();
    while (this.peek()?.toLowerCase() === 'and') {
      this.i++;
      const l = left;
      const r = this.unary();
      left = (x) => l(x) && r(x);
    }
    return left;
  }

  private unary(): Predicate {
    if (this.peek()?.toLowerCase() === 'not') {
      this.i++;
      const inner = this.unary();
      return (x) => !inner(x);
    }
    if (this.peek() === '(') {
      this.i++;
      const inner = this.or();
      if (this.next() !== ')') throw new Error('expected )');
      return inner;
    }
    return this.comparison();
  }

  private comparison(): Predicate {
    const attr = this.next();
    if (this.peek() === '[') {
      this.i++;
      const inner = this.or();
      if (this.next() !== ']') throw new Error('expected ]');
      // `emails[type eq "work"].value eq "x"` is not SCIM filter syntax; `emails[...]` is.
      return (r) => valuesAt(r, attr).some((v) => v !== null && typeof v === 'object' && inner(v as Resource));
    }
    const op = this.next().toLowerCase();
    const expected = op === 'pr' ? undefined : literal(this.next());
    const caseExact = attr.toLowerCase() === 'id';
    return (r) => {
      const values = valuesAt(r, attr);
      if (op === 'pr') return values.some((v) => compare('pr', v, undefined, caseExact));
      if (op === 'ne') return values.every((v) => compare('ne', v, expected, caseExact));
      return values.some((v) => compare(op, v, expected, caseExact));
    };
  }
}

/** Compile a SCIM filter into a predicate; throws on syntax it does not know. */
export function compileFilter(filter: string): Predicate {
  return new Parser(tokenize(filter)).parse();
}
