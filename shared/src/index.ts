export * from './targets';
export * from './provisioning';
export * from './api';
export * from './tokens';
export * from './page-user';
export * from './reconcile';
export * from './scope';
export * from './groups';
