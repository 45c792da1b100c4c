ALTER TABLE "embeddings" ADD COLUMN "data_id" varchar(24) NOT NULL;
--> statement-breakpoint
ALTER TABLE "embeddings" ADD COLUMN "written_at" timestamp with time zone DEFAULT now() NOT NULL;
--> statement-breakpoint
CREATE INDEX "embeddings_data_id_idx" ON "embeddings" USING btree ("data_id");
--> statement-breakpoint
CREATE INDEX "embeddings_written_at_idx" ON "embeddings" USING btree ("written_at");
