import { Init1795434978430 } from './1795434978430-Init';

/** Every migration, oldest first. WARNING: never edit a migration that has landed; add a new one. */
export const migrations = [Init1795434978430];
