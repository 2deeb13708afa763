export * from './rules';
export * from './evaluate';
export * from './resolve';
export * from './consensus';
export * from './preview';
