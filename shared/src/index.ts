export * from './envelope';
export * from './roles';
export * from './users';
export * from './auth';
export * from './items';
export * from './quantity';
export * from './gs1';
export * from './sessions';
export * from './sync';
export * from './expected';
export * from './moved-decisions';
export * from './platform';
export * from './reports';
export * from './client-errors';
export * from './phone-access';
export * from './monitoring';
export * from './recounts';
export * from './pages';
export * from './racks';
export * from './review';
export * from './adjustments';
export * from './audit';
export * from './tolerance';
export * from './bins';
export * from './movements/movement';
export * from './movements/clock';
export * from './movements/expected';
export * from './movements/hints';
export * from './movements/api';
export {
  MOVEMENT_INPUT_CODES,
  MovementInputError,
  type MovementInputCode,
} from './movements/input';
