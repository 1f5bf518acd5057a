/** A target mode's operations for tests: create, update and deactivate on, delete off, unless overridden. */
export const ops = (o: Partial<Record<'create' | 'update' | 'deactivate' | 'delete', boolean>> = {}) => ({
  create: true,
  update: true,
  deactivate: true,
  delete: false,
  ...o,
});
