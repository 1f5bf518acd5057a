/**
 * The plan of a scope change (POST /targets/{id}/scope/preview), shown before the change applies:
 * how many accounts will be created and deactivated, the first of each by name, and whether the
 * creations will wait for approval. The admin applies it or goes back to the form.
 */
import type { ScopePreview } from '../../../../shared/src/scope';
import { accounts, namesIn, previewHeadline } from './scope-draft';

export function ScopePreviewPanel({
  preview,
  targetName,
  busy,
  onApply,
  onCancel,
}: {
  preview: ScopePreview;
  targetName: string;
  busy: boolean;
  onApply: () => void;
  onCancel: () => void;
}) {
  const created = namesIn(preview.create, preview.counts.create);
  const deactivated = namesIn(preview.deactivate, preview.counts.deactivate);
  return (
    <section class="report scope-preview" aria-labelledby="scope-preview-heading">
      <h4 id="scope-preview-heading">Changing who is provisioned to “{targetName}”</h4>
      <p data-testid="scope-preview-headline">{previewHeadline(preview)}</p>
      {created && (
        <p>
          To be created or re-activated: <span data-testid="scope-preview-create">{created}</span>
        </p>
      )}
      {deactivated && (
        <p>
          To be deactivated: <span data-testid="scope-preview-deactivate">{deactivated}</span>
        </p>
      )}
      {preview.needsApproval && (
        <p class="error-text">{accounts(preview.counts.create)} to create is over the creation threshold: the creations will wait for approval under Held.</p>
      )}
      <div class="actions">
        <button type="button" class="primary" disabled={busy} onClick={onApply} ref={(el) => el?.focus()}>
          Apply the new scope
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </section>
  );
}
