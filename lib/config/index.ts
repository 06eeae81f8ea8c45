export * from './schema';
export * from './errors';
export * from './environment';
export * from './regions';
export * from './state-key';
export * from './env-name';
export * from './ci-identities';
