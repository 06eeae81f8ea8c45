export * from './refs';
export * from './resource-policy';
export * from './grants';
export * from './archive-key';
export * from './archive-bucket';
export * from './export-role';
export * from './archive';
export * from './shared-archive';
