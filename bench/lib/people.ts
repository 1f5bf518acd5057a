/**
 * Synthetic but realistic users, as an IdP sends them: userName, name, displayName, a work email
 * (and a home one for some), a phone for some, the Enterprise extension for a third. Deterministic
 * per index so a run is reproducible.
 */
export const SCIM_USER_URN = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_ENTERPRISE_USER_URN = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const GIVEN = [
  'ada',
  'alan',
  'grace',
  'edsger',
  'barbara',
  'donald',
  'margaret',
  'ken',
  'dennis',
  'frances',
  'john',
  'radia',
  'tim',
  'linus',
  'guido',
  'anita',
  'leslie',
  'niklaus',
  'sophie',
  'yukihiro',
  'hedy',
  'katherine',
  'claude',
  'shafi',
  'whitfield',
  'martin',
  'silvio',
  'adele',
  'jean',
  'carol',
];
const SYLLABLE_A = [
  'bar',
  'cal',
  'dor',
  'el',
  'fen',
  'gar',
  'hol',
  'ing',
  'jan',
  'kel',
  'lov',
  'mar',
  'nor',
  'ost',
  'pel',
  'quin',
  'ros',
  'sel',
  'tor',
  'ul',
  'ver',
  'wal',
  'yor',
  'zan',
  'brom',
  'crest',
  'dun',
  'fair',
  'hart',
  'mont',
];
const SYLLABLE_B = [
  'ace',
  'berg',
  'by',
  'den',
  'ford',
  'gate',
  'ham',
  'holm',
  'ley',
  'lund',
  'mann',
  'mere',
  'more',
  'ridge',
  'sen',
  'son',
  'stead',
  'stone',
  'ton',
  'wick',
  'wood',
  'worth',
];
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'Support', 'Legal', 'People', 'Operations'];
const TITLES = ['Engineer', 'Senior Engineer', 'Manager', 'Director', 'Analyst', 'Designer', 'Account Executive'];

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A 32-bit integer mix (murmur3's finaliser): spreads consecutive indexes over the lists. */
function mix(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const pick = <T>(list: readonly T[], n: number, salt: number): T => list[mix(n * 8 + salt) % list.length]!;

export interface Person {
  userName: string;
  workEmail: string;
  familyName: string;
  body: Record<string, unknown>;
}

export function person(n: number, tag = 'u'): Person {
  const given = pick(GIVEN, n, 1);
  const family = pick(SYLLABLE_A, n, 2) + pick(SYLLABLE_B, n, 3);
  const userName = `${given}.${family}.${tag}${n}@example.com`;
  const workEmail = `${given[0]}${family}${n}.${tag}@corp.example.com`;
  const emails: Record<string, unknown>[] = [{ value: workEmail, type: 'work', primary: true }];
  if (n % 2 === 0) emails.push({ value: `${given}${n}.${tag}@home.example.net`, type: 'home' });
  const body: Record<string, unknown> = {
    schemas: [SCIM_USER_URN, ...(n % 3 === 0 ? [SCIM_ENTERPRISE_USER_URN] : [])],
    externalId: `ext-${tag}${n}`,
    userName,
    name: { givenName: cap(given), familyName: cap(family), formatted: `${cap(given)} ${cap(family)}` },
    displayName: `${cap(given)} ${cap(family)}`,
    title: pick(TITLES, n, 4),
    active: true,
    emails,
    ...(n % 4 === 0 ? { phoneNumbers: [{ value: `+1 555 ${String(n).padStart(7, '0')}`, type: 'work' }] } : {}),
    ...(n % 3 === 0
      ? {
          [SCIM_ENTERPRISE_USER_URN]: {
            employeeNumber: String(100000 + n),
            department: pick(DEPARTMENTS, n, 5),
            costCenter: `CC-${n % 50}`,
            organization: 'Example Corp',
          },
        }
      : {}),
  };
  return { userName, workEmail, familyName: cap(family), body };
}
