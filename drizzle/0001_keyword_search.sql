DROP INDEX "embeddings_content_fts";
--> statement-breakpoint
ALTER TABLE "embeddings" ADD COLUMN "full_text" "tsvector" GENERATED ALWAYS AS (to_tsvector('english', "content")) STORED;
--> statement-breakpoint
CREATE INDEX "embeddings_full_text_content_english_gin" ON "embeddings" USING gin ("full_text");
