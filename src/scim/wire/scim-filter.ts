/**
 * SCIM 2.0 filter / attribute-path parser (RFC 7644 §3.4.2.2 and §3.5.2 "PATH").
 *
 * Self-contained, zero dependencies, ESM-friendly. Written instead of using scim2-parse-filter, which
 * rewrites `emails[type eq "work"].value eq "x"` into a condition that no longer ties the
 * sub-attribute to the selected element, and mis-decodes string escapes (research notes, issue 4).
 * Grammar implemented (RFC 7644 Figure 1,
 * with the value-path sub-attribute form `attr[filter].sub` that Microsoft Entra ID sends):
 *
 *   FILTER    = orExp
 *   orExp     = andExp *( SP "or" SP andExp )
 *   andExp    = unary  *( SP "and" SP unary )
 *   unary     = "not" *SP "(" FILTER ")"  /  "(" FILTER ")"  /  attrExp
 *   attrExp   = attrPath SP "pr"
 *             / attrPath SP compareOp SP compValue
 *             / valuePath                         ; attr[valFilter]  (no trailing .sub)
 *   attrPath  = [URN ":"] ATTRNAME [ "[" valFilter "]" ] [ "." ATTRNAME ]
 *   valFilter = FILTER whose attribute paths are bare ATTRNAMEs (no URN, no "[", no ".sub")
 *   compareOp = eq / ne / co / sw / ew / gt / lt / ge / le      (case-insensitive)
 *   compValue = "false" / "null" / "true" / JSON number / JSON string
 *   ATTRNAME  = ALPHA *( "-" / "_" / DIGIT / ALPHA )  /  "$ref"
 *
 * Precedence: not > and > or. `and`/`or` chains are flattened into n-ary nodes.
 * Operators, keywords and the literals true/false/null are matched case-insensitively
 * (RFC 7644 §3.4.2.2: "Attribute names and attribute operators used in filters are case
 * insensitive"). Attribute names keep their original spelling; compare them
 * case-insensitively downstream.
 */

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type CompValue = string | number | boolean | null;

/** `urn:...:User:emails[type eq "work"].value` → { schema, attr: 'emails', valueFilter, subAttr: 'value' } */
export interface AttrPath {
  /** Schema URN prefix without the trailing colon, e.g. "urn:ietf:params:scim:schemas:core:2.0:User". */
  schema?: string;
  /** Top-level attribute name as written, e.g. "emails", "userName", "name". */
  attr: string;
  /** Filter applied to the elements of a multi-valued attribute (`emails[type eq "work"]`). */
  valueFilter?: FilterNode;
  /** Sub-attribute name, e.g. "givenName" in "name.givenName" or "value" in `emails[...].value`. */
  subAttr?: string;
}

export interface CompareNode {
  type: 'compare';
  op: CompareOp;
  path: AttrPath;
  value: CompValue;
}
export interface PresentNode {
  type: 'present';
  path: AttrPath;
}
/** Bare `attr[filter]` used as a boolean expression: true if any element of attr matches. */
export interface ValuePathNode {
  type: 'valuePath';
  path: AttrPath & { valueFilter: FilterNode; subAttr?: undefined };
}
export interface LogicalNode {
  type: 'and' | 'or';
  /** Two or more operands; chains of the same operator are flattened. */
  filters: FilterNode[];
}
export interface NotNode {
  type: 'not';
  filter: FilterNode;
}
export type FilterNode = CompareNode | PresentNode | ValuePathNode | LogicalNode | NotNode;

/** Thrown for any syntax error. Map to HTTP 400 with `scimType` (RFC 7644 §3.12). */
export class ScimFilterError extends Error {
  override readonly name = 'ScimFilterError';
  constructor(
    message: string,
    /** 0-based character offset in the input where the problem was detected. */
    readonly position: number,
    /** RFC 7644 scimType: "invalidFilter" for filters, "invalidPath" for PATCH paths. */
    readonly scimType: 'invalidFilter' | 'invalidPath' = 'invalidFilter',
  ) {
    super(message);
  }
}

const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const MAX_DEPTH = 32;
const MAX_LENGTH = 8192;
/**
 * Most comparisons (attrExp: `attr op value`, `attr pr`) one filter may hold. Identity providers
 * send one or two joined by `and`; the database evaluates each comparison for every row it reads,
 * so 400 of them in 8 KiB (`userName eq "a" or userName eq "b" or …`) took 1–8 s over 5,000 users.
 */
export const MAX_FILTER_COMPARISONS = 20;

type TokKind = 'word' | 'string' | 'number' | '(' | ')' | '[' | ']' | '.' | 'eof';
interface Token {
  kind: TokKind;
  text: string; // raw text
  pos: number;
  /** true if whitespace (or start of input) immediately precedes this token */
  spaced: boolean;
  value?: string | number; // decoded string / number
}

const WS = /[ \t\r\n]/;
// Attribute names, keywords, URN-prefixed paths: starts with a letter or '$'.
const WORD = /[A-Za-z$][A-Za-z0-9_\-:.$]*/y;
// JSON number (RFC 8259).
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
// JSON string (RFC 8259): no raw control chars, only valid escapes.
// eslint-disable-next-line no-control-regex -- refusing raw control characters is the point
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const ATTRNAME = /^(?:[A-Za-z][A-Za-z0-9_-]*|\$ref)$/;

function tokenize(input: string, scimType: ScimFilterError['scimType']): Token[] {
  const out: Token[] = [];
  let i = 0;
  let spaced = true;
  while (i < input.length) {
    const c = input[i]!;
    if (WS.test(c)) {
      i++;
      spaced = true;
      continue;
    }
    if (c === '(' || c === ')' || c === '[' || c === ']' || c === '.') {
      out.push({ kind: c, text: c, pos: i, spaced });
      i++;
    } else if (c === '"') {
      STRING.lastIndex = i;
      const m = STRING.exec(input);
      if (!m) {
        throw new ScimFilterError(
          `Unterminated or malformed string literal at position ${i}`,
          i,
          scimType,
        );
      }
      out.push({ kind: 'string', text: m[0], pos: i, spaced, value: JSON.parse(m[0]) as string });
      i += m[0].length;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(input);
      const end = m ? i + m[0].length : i;
      if (!m || (end < input.length && /[A-Za-z0-9_.$:-]/.test(input[end]!))) {
        throw new ScimFilterError(`Malformed number at position ${i}`, i, scimType);
      }
      out.push({ kind: 'number', text: m[0], pos: i, spaced, value: Number(m[0]) });
      i = end;
    } else {
      WORD.lastIndex = i;
      const m = WORD.exec(input);
      if (!m) {
        throw new ScimFilterError(`Unexpected character ${JSON.stringify(c)} at position ${i}`, i, scimType);
      }
      const text = m[0];
      out.push({ kind: 'word', text, pos: i, spaced });
      i += text.length;
    }
    spaced = false;
  }
  out.push({ kind: 'eof', text: '', pos: input.length, spaced });
  return out;
}

class Parser {
  private i = 0;
  private depth = 0;
  private comparisons = 0;
  constructor(
    private readonly toks: Token[],
    private readonly scimType: ScimFilterError['scimType'],
  ) {}

  private peek(offset = 0): Token {
    return this.toks[Math.min(this.i + offset, this.toks.length - 1)]!;
  }
  private next(): Token {
    const t = this.peek();
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private fail(msg: string, t: Token = this.peek()): never {
    const where = t.kind === 'eof' ? 'end of input' : `${JSON.stringify(t.text)} at position ${t.pos}`;
    throw new ScimFilterError(`${msg} (found ${where})`, t.pos, this.scimType);
  }
  private isKeyword(t: Token, kw: string): boolean {
    return t.kind === 'word' && t.text.toLowerCase() === kw;
  }
  private expect(kind: TokKind, what: string): Token {
    const t = this.peek();
    if (t.kind !== kind) this.fail(`Expected ${what}`);
    return this.next();
  }
  private requireSpace(t: Token, what: string): void {
    if (!t.spaced) this.fail(`Expected whitespace before ${what}`, t);
  }

  parseFilterToEnd(): FilterNode {
    const f = this.parseOr(false);
    if (this.peek().kind !== 'eof') this.fail('Unexpected token after end of filter');
    return f;
  }

  parsePathToEnd(): AttrPath {
    const p = this.parseAttrPath(false);
    if (this.peek().kind !== 'eof') this.fail('Unexpected token after end of path');
    return p;
  }

  private enter(): void {
    if (++this.depth > MAX_DEPTH) this.fail(`Filter nested deeper than ${MAX_DEPTH} levels`);
  }

  private parseOr(inValue: boolean): FilterNode {
    const first = this.parseAnd(inValue);
    const filters = [first];
    while (this.isKeyword(this.peek(), 'or')) {
      this.requireSpace(this.peek(), '"or"');
      this.next();
      filters.push(this.parseAnd(inValue));
    }
    return filters.length === 1 ? first : { type: 'or', filters: flatten('or', filters) };
  }

  private parseAnd(inValue: boolean): FilterNode {
    const first = this.parseUnary(inValue);
    const filters = [first];
    while (this.isKeyword(this.peek(), 'and')) {
      this.requireSpace(this.peek(), '"and"');
      this.next();
      filters.push(this.parseUnary(inValue));
    }
    return filters.length === 1 ? first : { type: 'and', filters: flatten('and', filters) };
  }

  private parseUnary(inValue: boolean): FilterNode {
    const t = this.peek();
    if (this.isKeyword(t, 'not') && this.peek(1).kind === '(') {
      this.next();
      this.enter();
      this.next(); // '('
      const inner = this.parseOr(inValue);
      this.expect(')', '")" to close "not ("');
      this.depth--;
      return { type: 'not', filter: inner };
    }
    if (this.isKeyword(t, 'not')) {
      this.fail('Expected "(" after "not" (RFC 7644 requires not (filter))', this.peek(1));
    }
    if (t.kind === '(') {
      this.next();
      this.enter();
      const inner = this.parseOr(inValue);
      this.expect(')', '")"');
      this.depth--;
      return inner;
    }
    return this.parseAttrExp(inValue);
  }

  private parseAttrExp(inValue: boolean): FilterNode {
    if (++this.comparisons > MAX_FILTER_COMPARISONS) this.fail(`Filter has more than ${MAX_FILTER_COMPARISONS} comparisons`);
    const path = this.parseAttrPath(inValue);
    const opTok = this.peek();
    if (path.valueFilter && !path.subAttr) {
      // `emails[type eq "work"]` standing alone.
      if (opTok.kind === 'word' && (COMPARE_OPS.has(opTok.text.toLowerCase()) || opTok.text.toLowerCase() === 'pr')) {
        this.fail('A value path "attr[filter]" cannot be compared directly; use "attr[filter].subAttr op value"');
      }
      return { type: 'valuePath', path: path as ValuePathNode['path'] };
    }
    if (opTok.kind !== 'word') this.fail('Expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)');
    this.requireSpace(opTok, 'operator');
    const op = opTok.text.toLowerCase();
    if (op === 'pr') {
      this.next();
      return { type: 'present', path };
    }
    if (!COMPARE_OPS.has(op)) this.fail('Unknown operator');
    this.next();
    const v = this.peek();
    if (v.kind === 'eof') this.fail('Expected a comparison value after operator');
    this.requireSpace(v, 'comparison value');
    return { type: 'compare', op: op as CompareOp, path, value: this.parseCompValue() };
  }

  private parseCompValue(): CompValue {
    const t = this.next();
    switch (t.kind) {
      case 'string':
        return t.value as string;
      case 'number':
        return t.value as number;
      case 'word': {
        const w = t.text.toLowerCase();
        if (w === 'true') return true;
        if (w === 'false') return false;
        if (w === 'null') return null;
        return this.fail('Expected a comparison value (quoted string, number, true, false or null)', t);
      }
      default:
        return this.fail('Expected a comparison value (quoted string, number, true, false or null)', t);
    }
  }

  private parseAttrPath(inValue: boolean): AttrPath {
    const t = this.peek();
    if (t.kind !== 'word') this.fail('Expected an attribute path');
    this.next();
    const path = splitWord(t, inValue, this.scimType);
    // Optional value filter: attr[filter]   (no whitespace allowed before '[')
    const b = this.peek();
    if (b.kind === '[' && !b.spaced) {
      if (inValue) this.fail('Nested value filters are not allowed', b);
      if (path.subAttr !== undefined) this.fail('A value filter must follow a top-level attribute, not a sub-attribute', b);
      this.next();
      this.enter();
      const valueFilter = this.parseOr(true);
      this.expect(']', '"]" to close value filter');
      this.depth--;
      path.valueFilter = valueFilter;
      const d = this.peek();
      if (d.kind === '.' && !d.spaced) {
        this.next();
        const s = this.peek();
        if (s.kind !== 'word' || s.spaced || !ATTRNAME.test(s.text)) this.fail('Expected a sub-attribute name after "]."');
        this.next();
        path.subAttr = s.text;
      }
    } else if (b.kind === '[') {
      this.fail('Unexpected whitespace before "["', b);
    }
    return path;
  }
}

/** Split `urn:...:User:name.givenName` into schema / attr / subAttr and validate the pieces. */
function splitWord(t: Token, inValue: boolean, scimType: ScimFilterError['scimType']): AttrPath {
  const text = t.text;
  let schema: string | undefined;
  let rest = text;
  const colon = text.lastIndexOf(':');
  if (colon !== -1) {
    schema = text.slice(0, colon);
    rest = text.slice(colon + 1);
    if (!/^urn:[A-Za-z0-9][A-Za-z0-9-]*:\S+$/i.test(schema) || schema.endsWith(':')) {
      throw new ScimFilterError(`Invalid schema URN prefix ${JSON.stringify(schema)} at position ${t.pos}`, t.pos, scimType);
    }
  }
  const parts = rest.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTRNAME.test(p))) {
    throw new ScimFilterError(`Invalid attribute path ${JSON.stringify(text)} at position ${t.pos}`, t.pos, scimType);
  }
  if (inValue && (schema !== undefined || parts.length > 1)) {
    throw new ScimFilterError(
      `Inside a value filter only bare sub-attribute names are allowed (found ${JSON.stringify(text)} at position ${t.pos})`,
      t.pos,
      scimType,
    );
  }
  const out: AttrPath = { attr: parts[0]! };
  if (schema !== undefined) out.schema = schema;
  if (parts.length === 2) out.subAttr = parts[1]!;
  return out;
}

function flatten(kind: 'and' | 'or', filters: FilterNode[]): FilterNode[] {
  return filters.flatMap((f) => (f.type === kind ? f.filters : [f]));
}

function checkInput(input: unknown, scimType: ScimFilterError['scimType']): string {
  if (typeof input !== 'string') throw new ScimFilterError('Filter must be a string', 0, scimType);
  if (input.length > MAX_LENGTH) throw new ScimFilterError(`Filter longer than ${MAX_LENGTH} characters`, MAX_LENGTH, scimType);
  if (input.trim() === '') throw new ScimFilterError('Filter is empty', 0, scimType);
  return input;
}

/** Parse a `filter=` query parameter value (already URL-decoded). Throws ScimFilterError (scimType invalidFilter). */
export function parseScimFilter(input: string): FilterNode {
  const s = checkInput(input, 'invalidFilter');
  return new Parser(tokenize(s, 'invalidFilter'), 'invalidFilter').parseFilterToEnd();
}

/**
 * Parse a PATCH operation `path` (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]),
 * e.g. `name.familyName`, `emails[type eq "work"].value`, `members[value eq "x"]`,
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`.
 * Throws ScimFilterError with scimType "invalidPath".
 */
export function parseScimPath(input: string): AttrPath {
  const s = checkInput(input, 'invalidPath');
  return new Parser(tokenize(s, 'invalidPath'), 'invalidPath').parsePathToEnd();
}

/** Canonical string form (useful for logging and round-trip tests). */
export function stringifyScimFilter(f: FilterNode): string {
  switch (f.type) {
    case 'compare':
      return `${stringifyScimPath(f.path)} ${f.op} ${JSON.stringify(f.value)}`;
    case 'present':
      return `${stringifyScimPath(f.path)} pr`;
    case 'valuePath':
      return stringifyScimPath(f.path);
    case 'not':
      return `not (${stringifyScimFilter(f.filter)})`;
    case 'and':
    case 'or':
      return f.filters
        .map((c) => (c.type === 'or' && f.type === 'and' ? `(${stringifyScimFilter(c)})` : stringifyScimFilter(c)))
        .join(` ${f.type} `);
  }
}

export function stringifyScimPath(p: AttrPath): string {
  return (
    (p.schema ? `${p.schema}:` : '') +
    p.attr +
    (p.valueFilter ? `[${stringifyScimFilter(p.valueFilter)}]` : '') +
    (p.subAttr ? `.${p.subAttr}` : '')
  );
}
