/** /api/v1/targets: targets and their mapping. Responses never carry the token. */
import { Hono } from 'hono';
import { approveHeldDeletions, createTarget, deleteTarget, getTarget, listTargets, startSync, updateTarget } from '../provisioning/targets';
import { ROUTES } from './routes';
import type { ApiEnv } from './types';
import type { MappingRule, Target, TargetUpdate } from '../../../shared/src/targets';
import { isCmsKind, kindIssues as targetKindIssues, parseKindOptions } from '../../../shared/src/target-kinds';
import { mappingProblems } from '../provisioning/mapping';
import { targetRoles } from '../provisioning/target-roles';
import { documentOf, mergeAndValidate } from './merge-patch';
import { describe, invalidRequest, jsonObjectSchema, notFound, validateJson, validateQuery, type ApiIssue } from './validate';
import { dispatchTargetNow } from '../provisioning/dispatch-after';
import { isResyncSuggested } from '../provisioning/resync';
import { previewTargetScope, scopeIssues as checkScope, setOverride } from '../provisioning/target-scope';
import { listOverrides } from '../db/overrides';
import { loadResource } from '../directory/reads';
import type { Scope } from '../../../shared/src/scope';

/** A scope the directory cannot apply, as issues with dotted key paths (`scope.filter`, `scope.groupIds.0`). */
async function scopeIssues(db: D1Database, scope: Scope | undefined): Promise<ApiIssue[]> {
  if (!scope) return [];
  return (await checkScope(db, scope)).map((i) => ({ path: i.path.join('.'), message: i.message }));
}

const sameScope = (a: Scope, b: Scope) => JSON.stringify(a) === JSON.stringify(b);

export const targetsApp = new Hono<ApiEnv>();

const TARGET = 'The target';

/**
 * A mapping whose paths do not parse is the admin's form error, answered now with the rule's
 * key path — not a target paused in the middle of a run.
 */
function mappingIssues(mapping: readonly MappingRule[] | undefined): ApiIssue[] {
  if (!mapping) return [];
  return mapping.flatMap((rule, i) => mappingProblems([rule]).map((message) => ({ path: `mapping.${i}`, message })));
}

/**
 * A change checked against the target's kind: only a CMS target takes options (parsed by its
 * kind's schema, which then replace the raw ones in `patch`), and its token, matching and mapping
 * must fit them (the stored values stand in for those not sent).
 */
function kindIssues(target: Target, patch: TargetUpdate): ApiIssue[] {
  if (!isCmsKind(target.kind))
    return patch.options === undefined
      ? []
      : [{ path: 'options', message: 'only a CMS target (drupal-jsonapi, wordpress-rest, joomla-webservices) takes options' }];
  let options = target.options!;
  if (patch.options !== undefined) {
    const parsed = parseKindOptions(target.kind, patch.options);
    if (!parsed.ok) return parsed.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    options = parsed.options;
    patch.options = parsed.options;
  }
  const issues = targetKindIssues(target.kind, {
    token: patch.token,
    matching: patch.matching ?? target.matching,
    mapping: patch.mapping ?? target.mapping,
    options,
  });
  return issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

targetsApp.get(ROUTES.listTargets.path, async (c) => c.json({ items: await listTargets(c.env) }));

targetsApp.post(ROUTES.createTarget.path, validateJson(ROUTES.createTarget.body), async (c) => {
  const issues = mappingIssues(c.req.valid('json').mapping);
  if (issues.length > 0) return invalidRequest(c, 'The mapping cannot be applied.', issues);
  const scope = await scopeIssues(c.env.DB, c.req.valid('json').scope);
  if (scope.length > 0) return invalidRequest(c, describe('scope', scope), scope);
  const target = await createTarget(c.env, c.req.valid('json'));
  return c.json(target, 201, { location: `${new URL(c.req.url).origin}/api/v1/targets/${target.id}` });
});

targetsApp.get(ROUTES.getTarget.path, async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  return target ? c.json(target) : notFound(c, TARGET);
});

/** RFC 7396 merge patch: `{"modes":{"automatic":{"enabled":true}}}` leaves the other modes as they are. */
targetsApp.patch(ROUTES.updateTarget.path, validateJson(jsonObjectSchema), async (c) => {
  const saved = await getTarget(c.env, c.req.param('id'));
  if (!saved) return notFound(c, TARGET);
  const body = c.req.valid('json');
  const doc = documentOf(ROUTES.updateTarget.body, saved);
  // The members of one kind of scope mean nothing to another (groupIds to a filter): a new kind replaces, not merges.
  const scopeKind = (body.scope as { kind?: unknown } | null | undefined)?.kind;
  if (scopeKind !== undefined && scopeKind !== saved.scope.kind) delete doc.scope;
  const merged = mergeAndValidate(ROUTES.updateTarget.body, doc, body);
  if (!merged.ok) return invalidRequest(c, describe('request body', merged.issues), merged.issues);
  const patch = merged.value;
  const issues = mappingIssues(patch.mapping);
  if (issues.length > 0) return invalidRequest(c, 'The mapping cannot be applied.', issues);
  const kind = kindIssues(saved, patch);
  if (kind.length > 0) return invalidRequest(c, `The change does not fit a ${saved.kind} target: ${kind[0]!.path}: ${kind[0]!.message}`, kind);
  const scopeChanged = patch.scope !== undefined && !sameScope(saved.scope, patch.scope);
  const scope = scopeChanged ? await scopeIssues(c.env.DB, patch.scope) : [];
  if (scope.length > 0) return invalidRequest(c, describe('scope', scope), scope);
  let target = await updateTarget(c.env, c.req.param('id'), patch);
  if (!target) return notFound(c, TARGET);
  // Everyone is re-evaluated against the new scope: entering users created, leaving ones deactivated (issue #13).
  if (scopeChanged && !target.dryRun) {
    target = (await startSync(c.env, target.id, 'scope_changed')) ?? target;
    dispatchTargetNow(c.env, c.executionCtx, target);
  }
  if (saved.status === 'paused' && target.status === 'active') dispatchTargetNow(c.env, c.executionCtx, target);
  return c.json(isResyncSuggested(saved, target) ? { ...target, resyncSuggested: true } : target);
});

targetsApp.delete(ROUTES.deleteTarget.path, async (c) => {
  return (await deleteTarget(c.env, c.req.param('id'))) ? c.body(null, 204) : notFound(c, TARGET);
});

targetsApp.post(ROUTES.pauseTarget.path, validateJson(ROUTES.pauseTarget.body), async (c) => {
  const target = await updateTarget(c.env, c.req.param('id'), { status: 'paused' });
  return target ? c.json(target) : notFound(c, TARGET);
});

targetsApp.post(ROUTES.resumeTarget.path, validateJson(ROUTES.resumeTarget.body), async (c) => {
  const target = await updateTarget(c.env, c.req.param('id'), { status: 'active' });
  // What changed while paused is behind the watermark: catch up now, not at the next cron.
  if (target) dispatchTargetNow(c.env, c.executionCtx, target);
  return target ? c.json(target) : notFound(c, TARGET);
});

targetsApp.get(ROUTES.getMapping.path, async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  return target ? c.json({ mapping: target.mapping }) : notFound(c, TARGET);
});

targetsApp.put(ROUTES.putMapping.path, validateJson(ROUTES.putMapping.body), async (c) => {
  const issues = mappingIssues(c.req.valid('json').mapping);
  if (issues.length > 0) return invalidRequest(c, 'The mapping cannot be applied.', issues);
  const saved = await getTarget(c.env, c.req.param('id'));
  if (!saved) return notFound(c, TARGET);
  const kind = kindIssues(saved, { mapping: c.req.valid('json').mapping });
  if (kind.length > 0) return invalidRequest(c, `The mapping does not fit a ${saved.kind} target: ${kind[0]!.message}`, kind);
  const target = await updateTarget(c.env, c.req.param('id'), { mapping: c.req.valid('json').mapping });
  return target ? c.json({ mapping: target.mapping }) : notFound(c, TARGET);
});

/** The site's roles or groups for the role map's picker (read from the site, never created). */
targetsApp.get(ROUTES.listTargetRoles.path, async (c) => {
  const roles = await targetRoles(c.env, c.req.param('id'));
  if (roles === null) return notFound(c, TARGET);
  if (roles === 'not-cms') return invalidRequest(c, 'A SCIM target has no roles to map groups to: it receives the groups themselves.');
  return c.json(roles);
});

/** Releases every deletion held back by the target's deletion threshold. */
targetsApp.post(ROUTES.approveTarget.path, validateJson(ROUTES.approveTarget.body), async (c) => {
  const count = await approveHeldDeletions(c.env, c.req.param('id'));
  if (count === null) return notFound(c, TARGET);
  // Approved deletions go out now, in the background of this request, not at the next cron.
  const target = count > 0 ? await getTarget(c.env, c.req.param('id')) : null;
  if (target) dispatchTargetNow(c.env, c.executionCtx, target);
  return c.json({ count });
});

/** What applying a scope would do, before it applies (PATCH /targets/{id} {scope} applies it). */
targetsApp.post(ROUTES.previewTargetScope.path, validateQuery(ROUTES.previewTargetScope.query), validateJson(ROUTES.previewTargetScope.body), async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  if (!target) return notFound(c, TARGET);
  const { scope } = c.req.valid('json');
  const issues = await scopeIssues(c.env.DB, scope);
  if (issues.length > 0) return invalidRequest(c, describe('scope', issues), issues);
  return c.json(await previewTargetScope(c.env.DB, target, scope, c.req.valid('query').limit));
});

targetsApp.get(ROUTES.listTargetOverrides.path, async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  if (!target) return notFound(c, TARGET);
  return c.json({ items: await listOverrides(c.env.DB, target.id) });
});

/** "Always" / "never" provision this user to the target, or back to the scope (null); the user is re-evaluated at once. */
targetsApp.put(ROUTES.putTargetOverride.path, validateJson(ROUTES.putTargetOverride.body), async (c) => {
  const target = await getTarget(c.env, c.req.param('id'));
  if (!target) return notFound(c, TARGET);
  const userId = c.req.param('userId');
  if (!(await loadResource(c.env.DB, 'User', userId))) return notFound(c, 'The user');
  const { override } = c.req.valid('json');
  await setOverride(c.env.DB, target.id, userId, override, new Date());
  dispatchTargetNow(c.env, c.executionCtx, target);
  return c.json({ userId, override });
});
