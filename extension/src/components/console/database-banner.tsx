import { healthSchema } from '../../../../shared/src/api';
import { callApi } from '../../lib/console-api';
import { fillHeadline } from '../../lib/fill-words';
import { useLoad } from '../ui/use-load';

/**
 * Above every tab of the console: a warning while the relay's database is filling (from the
 * profile's d1WarnFraction), an error once identity providers' writes are refused and imports stop
 * (d1FullFraction). Asked again whenever the tab changes (`GET /health` is one trivial query).
 * Nothing shows while the relay can't be asked: the Connect tab says why.
 */
export function DatabaseBanner({ tab }: { tab: string }) {
  const health = useLoad(() => callApi(healthSchema, 'GET', '/health'), [tab]);
  const fill = health.data?.database;
  if (!fill || fill.level === 'ok') return null;
  return (
    <div class="db-banner" data-level={fill.level} role={fill.level === 'full' ? 'alert' : 'status'} aria-label="Database size">
      <p class="db-banner-headline">{fillHeadline(fill)}</p>
      {fill.warning && <p>{fill.warning}</p>}
    </div>
  );
}
