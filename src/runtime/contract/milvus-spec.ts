/**
 * A Milvus collection as `polystore generate` emits it: the shapes of
 * @zilliz/milvus2-sdk-node's createCollection and createIndex requests,
 * kept free of the SDK so that importing them loads no gRPC stack.
 */
export type MilvusDataType = 'VarChar' | 'Int32' | 'Int64' | 'Double' | 'Bool' | 'JSON' | 'FloatVector' | 'SparseFloatVector';
export type MilvusMetric = 'COSINE' | 'L2' | 'IP' | 'BM25';

export interface MilvusFieldSpec {
  name: string;
  data_type: MilvusDataType;
  is_primary_key?: true;
  nullable?: true;
  /** Milvus routes rows by this field: the tenant of a multi-tenant collection. */
  is_partition_key?: true;
  max_length?: number;
  dim?: number;
  /** The text of keyword search: Milvus splits it into terms with this analyzer (Milvus 2.5). */
  enable_analyzer?: true;
  analyzer_params?: { tokenizer: 'standard'; filter: Array<string | { type: string; language?: string; stop_words?: string[] }> };
}

export interface MilvusIndexSpec {
  field_name: string;
  index_name: string;
  index_type: 'HNSW' | 'IVF_FLAT' | 'FLAT' | 'INVERTED' | 'SPARSE_INVERTED_INDEX';
  metric_type?: MilvusMetric;
  params?: Record<string, number>;
}

export interface MilvusCollectionSpec {
  collection_name: string;
  fields: MilvusFieldSpec[];
  indexes: MilvusIndexSpec[];
  /** BM25 turns the analyzed text into the sparse vector that keyword search ranks. */
  functions?: MilvusFunctionSpec[];
  enable_dynamic_field: false;
}

export interface MilvusFunctionSpec {
  name: string;
  type: 'BM25';
  input_field_names: string[];
  output_field_names: string[];
}
