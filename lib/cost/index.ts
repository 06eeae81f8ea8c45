export * from './prices';
export * from './estimate';
export * from './guard';
export * from './format';
export * from './actual';
export * from './profile';
