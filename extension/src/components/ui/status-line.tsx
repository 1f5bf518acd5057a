/** A polite live region for "Saved.", "Loading…" and the like. */
export function StatusLine({ text, ok }: { text: string; ok?: boolean }) {
  return (
    <p class="status-line" role="status" aria-live="polite" data-ok={ok === undefined ? undefined : String(ok)}>
      {text}
    </p>
  );
}
