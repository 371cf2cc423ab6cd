export * from './formatters';
export * from './sign';
export * from './store';
export * from './log';
export * from './worker';
