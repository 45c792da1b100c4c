import type { SchemaDef } from './define.js';

/** polystore.config.ts: where the schema is and where generated files go. */
export interface PolystoreConfig {
  /** The schema, or the path of the module whose default export it is (relative to the config file). */
  schema: string | SchemaDef;
  /** Root under which prisma/, drizzle/ and generated/ are written (relative to the config file). */
  out?: string;
}

/** Identity at run time; gives polystore.config.ts its type. */
export function defineConfig(config: PolystoreConfig): PolystoreConfig {
  return config;
}
