import { healthSchema } from '../../../../shared/src/api';
import { callApi } from '../../lib/console-api';
import { fullLine } from '../../lib/fill-words';
import { useLoad } from '../ui/use-load';

/** The popup's one line when the relay's database is full: the popup is where an admin provisions. */
export function DatabaseFullLine() {
  const health = useLoad(() => callApi(healthSchema, 'GET', '/health'), []);
  const fill = health.data?.database;
  if (fill?.level !== 'full') return null;
  return (
    <p class="db-banner" data-level="full" role="alert">
      {fullLine(fill)}
    </p>
  );
}
