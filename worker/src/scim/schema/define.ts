import type { AttrType, AttributeDef } from './types';

/**
 * Terse constructor for registry entries. Defaults follow RFC 7643 §2.2: not required, not
 * caseExact, readWrite, returned by default, no uniqueness, single-valued.
 */
export function attr(name: string, type: AttrType, description: string, opts: Partial<AttributeDef> = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...(type === 'reference' ? { caseExact: true } : {}),
    ...opts,
  };
}

/** The usual multi-valued complex shape (RFC 7643 §2.4): value, display, type, primary. */
export function multiValued(
  name: string,
  description: string,
  opts: { types?: string[]; valueType?: AttrType; referenceTypes?: string[]; extra?: AttributeDef[] } & Partial<AttributeDef> = {},
): AttributeDef {
  const { types, valueType = 'string', referenceTypes, extra = [], ...rest } = opts;
  return attr(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      attr('value', valueType, `The value of ${name}.`, referenceTypes ? { referenceTypes } : {}),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes. READ-ONLY.'),
      attr('type', 'string', `A label indicating the attribute's function.`, types ? { canonicalValues: types } : {}),
      attr('primary', 'boolean', `A Boolean value indicating the 'primary' or preferred attribute value for this attribute.`),
      ...extra,
    ],
    ...rest,
  });
}
