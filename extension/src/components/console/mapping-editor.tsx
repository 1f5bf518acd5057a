import { useEffect, useState } from 'preact/hooks';
import { z } from 'zod';
import { mappingRuleSchema, type Target } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { issueText } from '../ui/field-issues';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { newRule, ruleDraftOf, rulesOf, TRANSFORM_NAMES, type RuleDraft, type RuleKind } from './mapping-draft';
import { PayloadPreview } from './payload-preview';

const mappingResponseSchema = z.object({ mapping: z.array(mappingRuleSchema) });

/**
 * A target's attribute mapping: one row per attribute the target receives, from a directory
 * attribute, a constant or a template. The preview beside it applies the rules as edited, before
 * they are saved.
 */
export function MappingEditor({ target }: { target: Target }) {
  const [rules, setRules] = useState<RuleDraft[]>(() => target.mapping.map(ruleDraftOf));
  const [error, setError] = useState<unknown>(null);
  const [status, setStatus] = useState('');
  const [saving, setSaving] = useState(false);

  useEffect(() => setRules(target.mapping.map(ruleDraftOf)), [target.id]);

  const update = (key: number, change: Partial<RuleDraft>) => setRules((rs) => rs.map((r) => (r.key === key ? { ...r, ...change } : r)));
  const remove = (key: number) => setRules((rs) => rs.filter((r) => r.key !== key));
  const move = (index: number, by: -1 | 1) =>
    setRules((rs) => {
      const next = [...rs];
      const [rule] = next.splice(index, 1);
      next.splice(index + by, 0, rule!);
      return next;
    });

  async function save(e: SubmitEvent) {
    e.preventDefault();
    setSaving(true);
    setError(null);
    setStatus('Saving the mapping…');
    try {
      const saved = await callApi(mappingResponseSchema, 'PUT', `/targets/${encodeURIComponent(target.id)}/mapping`, { mapping: rulesOf(rules) });
      setRules(saved.mapping.map(ruleDraftOf));
      setStatus(`Mapping saved (${saved.mapping.length} rules).`);
    } catch (err) {
      setError(err);
      setStatus('');
    } finally {
      setSaving(false);
    }
  }

  return (
    <section class="mapping" aria-labelledby="mapping-heading">
      <h3 id="mapping-heading">Mapping for “{target.name}”</h3>
      <div class="mapping-grid">
        <form onSubmit={save} noValidate>
          <table class="rules">
            <caption class="visually-hidden">Attribute mapping rules</caption>
            <thead>
              <tr>
                <th scope="col">Target attribute</th>
                <th scope="col">From</th>
                <th scope="col">Value</th>
                <th scope="col">Options</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rules.map((r, i) => (
                <RuleRow
                  key={r.key}
                  rule={r}
                  index={i}
                  count={rules.length}
                  error={issueText(error, `mapping.${i}`)}
                  onChange={(c) => update(r.key, c)}
                  onRemove={() => remove(r.key)}
                  onMove={(by) => move(i, by)}
                />
              ))}
            </tbody>
          </table>
          <div class="actions">
            <button type="button" onClick={() => setRules((rs) => [...rs, newRule()])}>
              Add rule
            </button>
            <button type="submit" class="primary" disabled={saving}>
              Save mapping
            </button>
          </div>
          <StatusLine text={status} />
          <Problem error={error} shownPaths={['mapping']} />
        </form>
        <PayloadPreview target={target} rules={rules} />
      </div>
    </section>
  );
}

function RuleRow({
  rule,
  index,
  count,
  error,
  onChange,
  onRemove,
  onMove,
}: {
  rule: RuleDraft;
  index: number;
  count: number;
  error: string | undefined;
  onChange: (c: Partial<RuleDraft>) => void;
  onRemove: () => void;
  onMove: (by: -1 | 1) => void;
}) {
  const id = `rule-${rule.key}`;
  const name = rule.target || `rule ${index + 1}`;
  return (
    <>
      <tr data-invalid={error ? 'true' : undefined}>
        <td>
          <input
            id={`${id}-target`}
            aria-label={`Target attribute of ${name}`}
            value={rule.target}
            placeholder='emails[type eq "work"].value'
            onInput={(e) => onChange({ target: e.currentTarget.value })}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
          />
        </td>
        <td>
          <select aria-label={`Kind of value for ${name}`} value={rule.kind} onChange={(e) => onChange({ kind: e.currentTarget.value as RuleKind })}>
            <option value="source">attribute</option>
            <option value="template">template</option>
            <option value="constant">constant</option>
          </select>
        </td>
        <td>
          <input
            aria-label={`Value of ${name}`}
            value={rule.value}
            placeholder={rule.kind === 'source' ? 'name.givenName | userName' : rule.kind === 'template' ? '{name.givenName}.{name.familyName}' : 'true'}
            onInput={(e) => onChange({ value: e.currentTarget.value })}
          />
          <input
            aria-label={`Default of ${name}`}
            class="small"
            value={rule.fallback}
            placeholder="default"
            onInput={(e) => onChange({ fallback: e.currentTarget.value })}
          />
        </td>
        <td>
          <div class="checks">
            {TRANSFORM_NAMES.map((t) => (
              <label class="check" key={t}>
                <input
                  type="checkbox"
                  checked={rule.transforms.includes(t)}
                  onChange={(e) => onChange({ transforms: e.currentTarget.checked ? [...rule.transforms, t] : rule.transforms.filter((x) => x !== t) })}
                />
                {t}
              </label>
            ))}
            <label class="check">
              <input type="checkbox" checked={rule.when === 'create'} onChange={(e) => onChange({ when: e.currentTarget.checked ? 'create' : 'always' })} />
              create only
            </label>
            <label class="check">
              <input type="checkbox" checked={rule.clearWhenMissing} onChange={(e) => onChange({ clearWhenMissing: e.currentTarget.checked })} />
              clear if missing
            </label>
          </div>
        </td>
        <td class="row-actions">
          <button type="button" aria-label={`Move ${name} up`} disabled={index === 0} onClick={() => onMove(-1)}>
            ↑
          </button>
          <button type="button" aria-label={`Move ${name} down`} disabled={index === count - 1} onClick={() => onMove(1)}>
            ↓
          </button>
          <button type="button" aria-label={`Remove ${name}`} onClick={onRemove}>
            Remove
          </button>
        </td>
      </tr>
      {error && (
        <tr class="rule-error">
          <td colSpan={5} id={`${id}-error`} role="alert">
            {error}
          </td>
        </tr>
      )}
    </>
  );
}
