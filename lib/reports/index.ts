export * from './records';
export * from './campaign';
export * from './agents';
export * from './amd';
export * from './csv';
export * from './source';
export * from './return-calls';
