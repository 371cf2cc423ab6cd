export * from './codes';
export * from './sip-table';
export * from './decide';
