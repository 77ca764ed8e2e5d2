import { CreateTenancyAndKeys1764288000000 } from './1764288000000-create-tenancy-and-keys';

/** Every migration, in order. Committed and run at start-up; the schema is never synchronized. */
export const MIGRATIONS = [CreateTenancyAndKeys1764288000000];
