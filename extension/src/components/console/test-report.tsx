import { z } from 'zod';
import { capabilitiesSchema } from '../../../../shared/src/targets';
import { stepSchema } from '../../../../shared/src/provisioning';
import { StepTrace } from '../ui/step-trace';

/** POST /targets/{id}/test's answer (worker/src/api/routes.ts testTarget). */
export const testResultSchema = z.object({
  ok: z.boolean(),
  steps: z.array(stepSchema),
  capabilities: capabilitiesSchema.optional(),
  problems: z.array(z.string()),
});
export type TestResult = z.infer<typeof testResultSchema>;

const yes = (b: boolean) => (b ? 'yes' : 'no');

/** Save-and-test in plain words: the verdict, each step, what the target supports, what is wrong. */
export function TestReport({ report }: { report: TestResult }) {
  const c = report.capabilities;
  return (
    <section class="report" aria-label="Test report" data-ok={String(report.ok)}>
      <h4>{report.ok ? 'The target answers and the settings work.' : 'The test found problems.'}</h4>
      <StepTrace steps={report.steps} />
      {report.problems.length > 0 && (
        <ul class="problems">
          {report.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {c && (
        <p>
          Supports PATCH: {yes(c.patch)} · Bulk: {c.bulk ? `yes${c.bulkMaxOperations ? ` (up to ${c.bulkMaxOperations} operations)` : ''}` : 'no'} · filters:{' '}
          {yes(c.filter)} · ETags: {yes(c.etag)}
        </p>
      )}
    </section>
  );
}
