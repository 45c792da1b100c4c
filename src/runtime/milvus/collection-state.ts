/** A Milvus collection compared with its spec, as `migrate status` reports it (a type of its own: the public declarations stay clear of the SDK). */
export interface CollectionState {
  collection: string;
  /** `drifted`: the live collection differs from the spec (`problems`); polystore will not use it. */
  state: 'present' | 'missing' | 'drifted';
  problems: string[];
  /** Fields whose index the spec has and the live collection lacks: an ensure creates them. */
  missingIndexes: string[];
}
