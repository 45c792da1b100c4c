import type { SchemaDef } from './define.js';
import type { PolystoreOptions } from '../runtime/contract/options.js';

/** polystore.config.ts: where the schema is, where generated files go, and where the operations commands connect. */
export interface PolystoreConfig {
  /** The schema, or the path of the module whose default export it is (relative to the config file). */
  schema: string | SchemaDef;
  /** Root under which prisma/, drizzle/ and generated/ are written (relative to the config file). */
  out?: string;
  /**
   * The stores `polystore migrate`, `partitions`, `health` and `vectors copy` use when neither a flag nor an
   * environment variable names them: createPolystore()'s own options (e.g. `postgres: process.env.DATABASE_URL`).
   */
  connections?: Pick<PolystoreOptions, 'postgres' | 'milvus' | 'mongodb' | 'vectorBackends'>;
  /** The embedders `polystore vectors reembed` embeds with: createPolystore()'s `embedders`. */
  embedders?: PolystoreOptions['embedders'];
}

/** Identity at run time; gives polystore.config.ts its type. */
export function defineConfig(config: PolystoreConfig): PolystoreConfig {
  return config;
}
