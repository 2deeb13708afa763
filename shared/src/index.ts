export * from './envelope';
export * from './roles';
export * from './users';
export * from './auth';
export * from './items';
export * from './quantity';
export * from './gs1';
