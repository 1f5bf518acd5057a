/** A target's or source's status as a badge, with why it was paused when the relay says. */
export function StatusBadge({ status, pausedReason }: { status: string; pausedReason: string | null | undefined }) {
  return (
    <>
      <span class="badge" data-state={status}>
        {status}
      </span>
      {pausedReason && <span class="muted"> — {pausedReason}</span>}
    </>
  );
}
