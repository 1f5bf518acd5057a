export * from './targets';
export * from './provisioning';
export * from './api';
