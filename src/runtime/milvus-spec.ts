/**
 * A Milvus collection as `polystore generate` emits it: the shapes of
 * @zilliz/milvus2-sdk-node's createCollection and createIndex requests,
 * kept free of the SDK so that importing them loads no gRPC stack.
 */
export type MilvusDataType = 'VarChar' | 'Int32' | 'Int64' | 'Double' | 'Bool' | 'JSON' | 'FloatVector';
export type MilvusMetric = 'COSINE' | 'L2' | 'IP';

export interface MilvusFieldSpec {
  name: string;
  data_type: MilvusDataType;
  is_primary_key?: true;
  nullable?: true;
  /** Milvus routes rows by this field: the tenant of a multi-tenant collection. */
  is_partition_key?: true;
  max_length?: number;
  dim?: number;
}

export interface MilvusIndexSpec {
  field_name: string;
  index_name: string;
  index_type: 'HNSW' | 'IVF_FLAT' | 'FLAT' | 'INVERTED';
  metric_type?: MilvusMetric;
  params?: Record<string, number>;
}

export interface MilvusCollectionSpec {
  collection_name: string;
  fields: MilvusFieldSpec[];
  indexes: MilvusIndexSpec[];
  enable_dynamic_field: false;
}
