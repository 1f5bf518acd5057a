/**
 * Client quirks the filter and PATCH path grammar accept beyond the RFC 7644 ABNF, kept as data
 * so each has a name that the code comments, the tests and the compatibility docs can cite.
 * Every example here is asserted to parse by test/unit/filter/quirks.test.ts.
 */
export type GrammarQuirk = 'unquotedValue' | 'anyCaseLiterals' | 'valuePathSubAttrCompare' | 'bareExtensionUrnPath';

export interface GrammarQuirkInfo {
  /** where the quirk is met: the `filter` parameter or a PATCH operation's `path` */
  input: 'filter' | 'path';
  example: string;
  why: string;
  handling: string;
}

export const GRAMMAR_QUIRKS: Readonly<Record<GrammarQuirk, GrammarQuirkInfo>> = {
  unquotedValue: {
    input: 'filter',
    example: 'userName eq john@example.com',
    why: 'clients that build filters by string concatenation leave identifiers, e-mail addresses and UUIDs unquoted',
    handling:
      'after a comparison operator, a bare token that is not true/false/null nor a JSON number is a string ' +
      '(it ends at whitespace, ")" or "]"); a number-looking token stays a number',
  },
  anyCaseLiterals: {
    input: 'filter',
    example: 'active Eq False AND userName PR',
    why: 'RFC 7644 §3.4.2.2 makes operators case-insensitive; Entra ID also capitalises boolean literals',
    handling: 'operators, and/or/not and true/false/null are matched in any case',
  },
  valuePathSubAttrCompare: {
    input: 'filter',
    example: 'emails[type eq "work"].value eq "x@example.com"',
    why: 'not in the §3.4.2.2 ABNF, but Entra ID and others filter a sub-attribute of the selected element this way',
    handling: 'parsed as one valuePath whose filter is the bracketed filter AND the trailing comparison',
  },
  bareExtensionUrnPath: {
    input: 'path',
    example: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    why: 'clients add, replace or remove a whole extension object by naming its schema URN as the path',
    handling: 'parsed as { path: { uri: <the URN>, attr: "" } }',
  },
};
