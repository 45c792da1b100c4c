-- polystore: pgvector, for vector and halfvec columns
CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
CREATE TABLE "analytics" (
	"id" bigserial NOT NULL,
	"event_type" varchar(50) NOT NULL,
	"event_data" jsonb,
	"user_id" varchar(255),
	"app_id" varchar(255),
	"session_id" varchar(255),
	"timestamp" timestamp with time zone DEFAULT now() NOT NULL,
	"ip_address" "inet",
	"user_agent" text,
	CONSTRAINT "analytics_pkey" PRIMARY KEY("id","timestamp")
) PARTITION BY RANGE ("timestamp");
--> statement-breakpoint
-- polystore: monthly partition
CREATE TABLE "analytics_y2026m01" PARTITION OF "analytics" FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');
--> statement-breakpoint
-- polystore: monthly partition
CREATE TABLE "analytics_y2026m02" PARTITION OF "analytics" FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');
--> statement-breakpoint
-- polystore: monthly partition
CREATE TABLE "analytics_y2026m03" PARTITION OF "analytics" FOR VALUES FROM ('2026-03-01 00:00:00+00') TO ('2026-04-01 00:00:00+00');
--> statement-breakpoint
-- polystore: rows outside the monthly partitions
CREATE TABLE "analytics_default" PARTITION OF "analytics" DEFAULT;
--> statement-breakpoint
CREATE TABLE "embeddings" (
	"id" varchar(255) PRIMARY KEY NOT NULL,
	"team_id" varchar(64) NOT NULL,
	"dataset_id" varchar(64) NOT NULL,
	"collection_id" varchar(64) NOT NULL,
	"chunk_id" varchar(255) NOT NULL,
	"content" text NOT NULL,
	"metadata" jsonb,
	"created_at" timestamp with time zone NOT NULL,
	"embedding" vector(1536) NOT NULL
);

--> statement-breakpoint
CREATE INDEX "analytics_event_type_timestamp_idx" ON "analytics" USING btree ("event_type","timestamp" DESC NULLS LAST);
--> statement-breakpoint
CREATE INDEX "analytics_user_id_timestamp_idx" ON "analytics" USING btree ("user_id","timestamp" DESC NULLS LAST);
--> statement-breakpoint
CREATE INDEX "analytics_app_id_timestamp_idx" ON "analytics" USING btree ("app_id","timestamp" DESC NULLS LAST);
--> statement-breakpoint
CREATE INDEX "analytics_timestamp_brin" ON "analytics" USING brin ("timestamp");
--> statement-breakpoint
CREATE INDEX "embeddings_embedding_hnsw" ON "embeddings" USING hnsw ("embedding" vector_cosine_ops) WITH (m=16,ef_construction=64);
--> statement-breakpoint
CREATE INDEX "embeddings_team_id_idx" ON "embeddings" USING btree ("team_id");
--> statement-breakpoint
CREATE INDEX "embeddings_dataset_id_idx" ON "embeddings" USING btree ("dataset_id");
--> statement-breakpoint
CREATE INDEX "embeddings_collection_id_idx" ON "embeddings" USING btree ("collection_id");
--> statement-breakpoint
CREATE INDEX "embeddings_metadata_gin" ON "embeddings" USING gin ("metadata");
--> statement-breakpoint
CREATE INDEX "embeddings_content_fts" ON "embeddings" USING gin (to_tsvector('english', "content"));
--> statement-breakpoint
CREATE INDEX "embeddings_chunk_id_idx" ON "embeddings" USING btree ("chunk_id") WHERE "embeddings"."metadata" IS NOT NULL;
