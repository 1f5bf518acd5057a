export * from './targets';
export * from './provisioning';
