DROP INDEX "embeddings_data_id_idx";
--> statement-breakpoint
DROP INDEX "embeddings_written_at_idx";
--> statement-breakpoint
ALTER TABLE "embeddings" DROP COLUMN "data_id";
--> statement-breakpoint
ALTER TABLE "embeddings" DROP COLUMN "written_at";
