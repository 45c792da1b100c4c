DROP INDEX "embeddings_full_text_content_english_gin";
--> statement-breakpoint
CREATE INDEX "embeddings_content_fts" ON "embeddings" USING gin (to_tsvector('english', "content"));
--> statement-breakpoint
ALTER TABLE "embeddings" DROP COLUMN "full_text";
