/** The hono environment every admin API sub-app shares. */
import type { AuthVariables } from '../auth/middleware';
import type { Env } from '../env';

export type ApiEnv = { Bindings: Env; Variables: AuthVariables };
