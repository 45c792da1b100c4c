/**
 * While a collection has two generations of embeddings, an update that changes a record's `from` text without
 * writing the inactive generation's vector (a process of the old code, which does not know that column, or one
 * without that model's embedder) leaves that vector NULL rather than stale: a re-embed then fills it again, and a
 * switch waits for it. The database does it, so that no process can skip it. The function reads the generations
 * from polystore.embeddings; a column it names that is gone (dropped by a finalize) is passed over.
 */
import { quoteIdentifier as quote, quoteLiteral } from './quote-identifier.js';
import type { Statement } from '../postgres/connection.js';

const TRIGGER = 'polystore_stale_vectors';

export const STALE_VECTORS_FUNCTION: Statement = {
  sql: `CREATE OR REPLACE FUNCTION polystore.stale_vectors() RETURNS trigger LANGUAGE plpgsql AS $fn$
DECLARE
  before jsonb := to_jsonb(OLD);
  after jsonb := to_jsonb(NEW);
  state record;
  generation jsonb;
BEGIN
  IF after -> TG_ARGV[1] IS NOT DISTINCT FROM before -> TG_ARGV[1] THEN RETURN NEW; END IF;
  SELECT active_column, generations INTO state FROM polystore.embeddings WHERE collection = TG_ARGV[0];
  IF NOT FOUND THEN RETURN NEW; END IF;
  FOR generation IN SELECT jsonb_array_elements(state.generations) LOOP
    IF generation ->> 'column' <> state.active_column AND after ? (generation ->> 'column')
       AND after -> (generation ->> 'column') IS NOT DISTINCT FROM before -> (generation ->> 'column') THEN
      NEW := jsonb_populate_record(NEW, jsonb_build_object(generation ->> 'column', NULL));
    END IF;
  END LOOP;
  RETURN NEW;
END $fn$`,
  params: [],
};

/** Whether the table has the trigger. */
export const hasStaleVectorsTrigger = (table: string): Statement => ({ sql: 'SELECT count(*) FROM pg_trigger WHERE tgrelid = $1::regclass AND tgname = $2', params: [quote(table), TRIGGER] });

export const createStaleVectorsTrigger = (table: string, collection: string, fromColumn: string): Statement => ({
  sql: `CREATE OR REPLACE TRIGGER ${TRIGGER} BEFORE UPDATE ON ${quote(table)} FOR EACH ROW EXECUTE FUNCTION polystore.stale_vectors(${quoteLiteral(collection)}, ${quoteLiteral(fromColumn)})`,
  params: [],
});

export const dropStaleVectorsTrigger = (table: string): Statement => ({ sql: `DROP TRIGGER IF EXISTS ${TRIGGER} ON ${quote(table)}`, params: [] });
