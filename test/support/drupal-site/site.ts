/**
 * One fake Drupal site's state: users (uid 0 anonymous, uid 1 admin, then the seeds), roles,
 * settings and accounts. Every change bumps `changed` the way Drupal's ChangedItem does (the
 * request time in seconds) unless the caller sets it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CreateSiteRequest, SeedRole, SeedUser, SiteAccount, SiteRole, SiteSettings, SiteUser } from './types';

export const DEFAULT_ACCOUNTS: SiteAccount[] = [
  { username: 'admin', password: 'admin-pass', token: 'admin-token', model: 'admin' },
  { username: 'useradmin', password: 'useradmin-pass', token: 'useradmin-token', model: 'user-admin' },
  { username: 'viewer', password: 'viewer-pass', token: 'viewer-token', model: 'limited' },
];

/** The standard install profile's roles. */
const STANDARD_ROLES: SeedRole[] = [
  { id: 'anonymous', label: 'Anonymous user' },
  { id: 'authenticated', label: 'Authenticated user' },
  { id: 'content_editor', label: 'Content editor' },
  { id: 'administrator', label: 'Administrator' },
];

export const now = (): number => Math.floor(Date.now() / 1000);

export class Site {
  readonly id: string;
  settings: SiteSettings;
  readonly users = new Map<number, SiteUser>();
  readonly byUuid = new Map<string, SiteUser>();
  readonly roles = new Map<string, SiteRole>();
  /** bumped on every change; keys the sorted-list cache */
  version = 0;
  private nextUid = 1;
  private sortedCache = new Map<string, { version: number; list: SiteUser[] }>();

  constructor(id: string, req: CreateSiteRequest) {
    this.id = id;
    this.settings = { jsonapi: true, readOnly: false, cancelMethod: 'user_cancel_block', accounts: DEFAULT_ACCOUNTS.map((a) => ({ ...a })), ...req.settings };
    for (const r of [...STANDARD_ROLES, ...(req.roles ?? [])]) this.addRole(r);
    const created = now() - 86_400;
    this.insert({ uid: 0, name: '', mail: null, status: false, created, changed: created });
    if (req.fixture === 'drupal10-real') this.loadRealFixture();
    else if (req.adminUser !== false && !(req.users ?? []).some((u) => u.uid === 1)) {
      this.insert({ uid: 1, name: 'admin', mail: 'admin@example.com', roles: ['administrator'], created, changed: created });
    }
    for (const u of req.users ?? []) this.insert(u);
    if (req.generate) this.generate(req.generate, req.generatePrefix);
  }

  addRole(r: SeedRole): SiteRole {
    const role: SiteRole = { id: r.id, uuid: r.uuid ?? randomUUID(), label: r.label ?? r.id, weight: this.roles.size };
    this.roles.set(role.id, role);
    return role;
  }

  touch(): void {
    this.version++;
  }

  insert(seed: SeedUser): SiteUser {
    const uid = seed.uid ?? this.nextUid;
    if (this.users.has(uid)) throw new Error(`uid ${uid} exists`);
    for (const r of seed.roles ?? []) if (!this.roles.has(r)) this.addRole({ id: r });
    const t = now();
    const user: SiteUser = {
      uid,
      uuid: seed.uuid ?? randomUUID(),
      name: seed.name,
      mail: seed.mail === undefined ? `${seed.name}@example.com` : seed.mail,
      status: seed.status ?? true,
      roles: seed.roles ?? [],
      created: seed.created ?? t,
      changed: seed.changed ?? seed.created ?? t,
      access: 0,
      login: 0,
      timezone: seed.timezone ?? 'UTC',
    };
    this.users.set(uid, user);
    this.byUuid.set(user.uuid, user);
    this.nextUid = Math.max(this.nextUid, uid + 1);
    this.touch();
    return user;
  }

  update(user: SiteUser, patch: Partial<Omit<SiteUser, 'uid' | 'uuid'>>): SiteUser {
    for (const r of patch.roles ?? []) if (!this.roles.has(r)) this.addRole({ id: r });
    Object.assign(user, patch);
    if (patch.changed === undefined) user.changed = Math.max(now(), user.changed);
    this.touch();
    return user;
  }

  remove(user: SiteUser): void {
    this.users.delete(user.uid);
    this.byUuid.delete(user.uuid);
    this.touch();
  }

  userByUid(uid: number): SiteUser | undefined {
    return this.users.get(uid);
  }

  nameTaken(name: string, except?: SiteUser): boolean {
    const n = name.toLowerCase();
    for (const u of this.users.values()) if (u !== except && u.name.toLowerCase() === n) return true;
    return false;
  }

  mailTaken(mail: string, except?: SiteUser): boolean {
    const m = mail.toLowerCase();
    for (const u of this.users.values()) if (u !== except && u.mail?.toLowerCase() === m) return true;
    return false;
  }

  /** Users in the given order, cached until the next change (20,000 users, hundreds of pages). */
  sorted(key: string, compare: (a: SiteUser, b: SiteUser) => number): SiteUser[] {
    const hit = this.sortedCache.get(key);
    if (hit && hit.version === this.version) return hit.list;
    const list = [...this.users.values()].sort(compare);
    this.sortedCache.set(key, { version: this.version, list });
    return list;
  }

  /** `count` users <prefix>00001…: every 20th blocked, every 7th a content editor, `changed` spread over a day. */
  generate(count: number, prefix = 'user'): void {
    const base = now() - 86_400;
    for (let i = 1; i <= count; i++) {
      const n = String(i).padStart(5, '0');
      this.insert({
        name: `${prefix}${n}`,
        mail: `${prefix}${n}@example.org`,
        status: i % 20 !== 0,
        roles: i % 7 === 0 ? ['content_editor'] : [],
        created: base + Math.floor((i * 86_000) / count),
      });
    }
  }

  private loadRealFixture(): void {
    const file = path.resolve(import.meta.dirname, '../../fixtures/drupal10-real-jsonapi-users.json');
    const doc = JSON.parse(readFileSync(file, 'utf8')) as {
      data: {
        id: string;
        attributes: Record<string, unknown>;
        relationships?: { roles?: { data: { id: string; meta: { drupal_internal__target_id: string } }[] } };
      }[];
    };
    const secs = (s: unknown) => Math.floor(Date.parse(String(s)) / 1000);
    for (const r of doc.data) {
      for (const role of r.relationships?.roles?.data ?? []) {
        const existing = this.roles.get(role.meta.drupal_internal__target_id);
        if (existing) {
          existing.uuid = role.id;
        } else this.addRole({ id: role.meta.drupal_internal__target_id, uuid: role.id });
      }
    }
    for (const r of doc.data) {
      const a = r.attributes;
      if (a.drupal_internal__uid === undefined) {
        // uid 0 keeps its captured UUID
        const anon = this.users.get(0)!;
        this.byUuid.delete(anon.uuid);
        anon.uuid = r.id;
        this.byUuid.set(anon.uuid, anon);
        continue;
      }
      this.insert({
        uid: Number(a.drupal_internal__uid),
        uuid: r.id,
        name: String(a.name),
        mail: (a.mail as string | null) ?? null,
        status: Boolean(a.status),
        roles: (r.relationships?.roles?.data ?? []).map((x) => x.meta.drupal_internal__target_id),
        created: secs(a.created),
        changed: secs(a.changed),
        timezone: String(a.timezone ?? 'UTC'),
      });
    }
  }
}
