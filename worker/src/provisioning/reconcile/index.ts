export { reconcileTarget, type ReconcileOptions } from './run-reconcile';
export { nextDueAt, runDueReconciles } from './schedule';
export { parseState } from './state';
export { reconcileStatus, setReconcileSchedule } from './status';
