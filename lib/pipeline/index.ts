export * from './event-pipeline';
export * from './work-queue';
