/**
 * Users: the directory searched by userName, email or id (GET /users?q=), each user with its
 * state on every target and a per-target override (issue #13): "Always provision", "Never
 * provision" or "Follow scope" (the target's scope decides).
 */
import { useState } from 'preact/hooks';
import { z } from 'zod';
import { userSummarySchema } from '../../../../shared/src/api';
import { linkSchema } from '../../../../shared/src/provisioning';
import { callApi, query } from '../../lib/console-api';
import { linkLabel, OVERRIDE_LABEL, overrideSaid } from '../../overlay/link-state';
import { ListState } from '../ui/list-state';
import { ListTable } from '../ui/list-table';
import { OverrideSelect } from '../ui/override-select';
import { Problem } from '../ui/problem';
import { StatusLine } from '../ui/status-line';
import { useLoad } from '../ui/use-load';

const usersSchema = z.object({ items: z.array(userSummarySchema.extend({ links: z.array(linkSchema) })) });

export function UsersSection() {
  const [q, setQ] = useState('');
  const list = useLoad(() => callApi(usersSchema, 'GET', `/users${query({ q: q.trim(), limit: 50 })}`), [q]);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const users = list.data?.items ?? [];
  return (
    <section aria-labelledby="users-heading">
      <h2 id="users-heading">Users</h2>
      <p class="hint">Each user’s state on every target. An override wins over the target’s scope: “Never provision” deactivates the account there.</p>
      <div class="filters">
        <label for="users-q">Find</label>
        <input id="users-q" type="search" placeholder="userName, email or id" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      </div>
      <ListState list={list} loadingText="Loading users…" empty="No user matches." />
      {users.length > 0 && (
        <ListTable label="Users" columns={['User', 'Targets']}>
          {users.map((u) => (
            <tr key={u.id} data-user={u.userName}>
              <th scope="row">
                {u.userName}
                {u.active ? '' : ' (inactive)'}
                {u.displayName ? <div class="muted">{u.displayName}</div> : null}
              </th>
              <td>
                <ul class="plain-list">
                  {u.links.map((l) => (
                    <li key={l.targetId} data-target={l.targetName} data-state={l.state}>
                      {l.targetName}: {linkLabel(l)}
                      {l.override ? ` (${OVERRIDE_LABEL[l.override]})` : ''}{' '}
                      <OverrideSelect
                        targetId={l.targetId}
                        targetName={l.targetName}
                        userId={u.id}
                        userName={u.userName}
                        value={l.override ?? null}
                        onError={(e) => {
                          setStatus('');
                          setError(e);
                        }}
                        onSaved={(override) => {
                          setError(null);
                          setStatus(overrideSaid(u.userName, l.targetName, override));
                          list.reload();
                        }}
                      />
                    </li>
                  ))}
                </ul>
              </td>
            </tr>
          ))}
        </ListTable>
      )}
      <StatusLine text={status} />
      <Problem error={error} />
    </section>
  );
}
