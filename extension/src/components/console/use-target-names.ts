import { z } from 'zod';
import { targetSchema } from '../../../../shared/src/targets';
import { callApi } from '../../lib/console-api';
import { useLoad } from '../ui/use-load';

const targetsSchema = z.object({ items: z.array(targetSchema) });

/** The relay's targets, for a filter and for showing a row's target by name (its id until loaded). */
export function useTargetNames() {
  const targets = useLoad(() => callApi(targetsSchema, 'GET', '/targets'), []);
  const items = targets.data?.items ?? [];
  const nameOf = (id: string) => items.find((t) => t.id === id)?.name ?? id;
  return { items, nameOf };
}
