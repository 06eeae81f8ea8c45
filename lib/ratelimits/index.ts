export * from './catalogue';
export * from './planner';
