import type { Target } from '../../../../shared/src/targets';

/** "Target: [All targets ▾]" above a list; '' is all targets. */
export function TargetFilter({
  id,
  targets,
  value,
  onChange,
}: {
  id: string;
  targets: readonly Target[];
  value: string;
  onChange: (targetId: string) => void;
}) {
  return (
    <>
      <label for={id}>Target</label>
      <select id={id} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">All targets</option>
        {targets.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
    </>
  );
}
