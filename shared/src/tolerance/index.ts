export * from './rules';
export * from './evaluate';
export * from './resolve';
export * from './consensus';
export * from './preview';
export * from './api';
export * from './line';
