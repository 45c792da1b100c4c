DROP TABLE "analytics" CASCADE;
--> statement-breakpoint
DROP TABLE "embeddings" CASCADE;
