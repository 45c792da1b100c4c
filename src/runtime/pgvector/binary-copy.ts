/**
 * Rows in PostgreSQL's binary COPY format: a header, then per row a field count and each field as a length and
 * its binary representation (`<type>_send`), then a trailer. Binary skips the text parsing that dominates a
 * bulk load (pgvector's parser above all): the vector goes over as its floats.
 */
import { float16Bits } from '../contract/float16.js';
import type { VectorCollectionDescriptor, VectorFieldKind } from '../contract/vector-store.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
/** PostgreSQL's timestamps count microseconds from 2000-01-01 UTC. */
const POSTGRES_EPOCH_MS = Date.UTC(2000, 0, 1);

/** A growing buffer, written front to back. */
class Writer {
  buffer = Buffer.allocUnsafe(1 << 16);
  length = 0;
  reserve(bytes: number): void {
    if (this.length + bytes <= this.buffer.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + bytes));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
  int16(value: number): void {
    this.reserve(2);
    this.length = this.buffer.writeInt16BE(value, this.length);
  }
  int32(value: number): void {
    this.reserve(4);
    this.length = this.buffer.writeInt32BE(value, this.length);
  }
  /** A field of `bytes` bytes: its length, then what `write` puts. */
  field(bytes: number, write: (buffer: Buffer, at: number) => void): void {
    this.reserve(4 + bytes);
    this.length = this.buffer.writeInt32BE(bytes, this.length);
    write(this.buffer, this.length);
    this.length += bytes;
  }
  text(value: string): void {
    const bytes = Buffer.byteLength(value);
    this.field(bytes, (buffer, at) => buffer.write(value, at, bytes, 'utf8'));
  }
}

type Encode = (writer: Writer, value: unknown) => void;

const SCALARS: Record<VectorFieldKind, Encode> = {
  string: (writer, value) => writer.text(value as string),
  enum: (writer, value) => writer.text(value as string),
  int: (writer, value) => writer.field(4, (buffer, at) => buffer.writeInt32BE(value as number, at)),
  float: (writer, value) => writer.field(8, (buffer, at) => buffer.writeDoubleBE(value as number, at)),
  boolean: (writer, value) => writer.field(1, (buffer, at) => buffer.writeUInt8(value ? 1 : 0, at)),
  datetime: (writer, value) => writer.field(8, (buffer, at) => buffer.writeBigInt64BE(BigInt((value as Date).getTime() - POSTGRES_EPOCH_MS) * 1000n, at)),
  // jsonb: a version byte, then the JSON text.
  json: (writer, value) => {
    const text = JSON.stringify(value);
    const bytes = Buffer.byteLength(text);
    writer.field(1 + bytes, (buffer, at) => {
      buffer.writeUInt8(1, at);
      buffer.write(text, at + 1, bytes, 'utf8');
    });
  },
};

/** pgvector's binary vector: dimensions (int16), an unused int16, then float4 (vector) or float16 (halfvec) elements. */
function vectorEncoder(storage: VectorCollectionDescriptor['storage']): Encode {
  const size = storage === 'halfvec' ? 2 : 4;
  return (writer, value) => {
    const vector = value as ArrayLike<number>;
    writer.field(4 + size * vector.length, (buffer, at) => {
      buffer.writeInt16BE(vector.length, at);
      buffer.writeInt16BE(0, at + 2);
      for (let i = 0, offset = at + 4; i < vector.length; i++, offset += size) {
        if (size === 2) buffer.writeUInt16BE(float16Bits(vector[i]), offset);
        else buffer.writeFloatBE(vector[i], offset);
      }
    });
  };
}

/** The encoders of a collection's columns, in the order `names` lists them (record property names). */
export function binaryCopyEncoder(descriptor: VectorCollectionDescriptor, names: readonly string[]): (rows: ReadonlyArray<Record<string, unknown>>) => Buffer {
  const kinds = new Map<string, Encode>([['id', SCALARS.string], ['embedding', vectorEncoder(descriptor.storage)], ...descriptor.fields.map((field) => [field.name, SCALARS[field.kind]] as const)]);
  const encoders = names.map((name) => kinds.get(name)!);
  return (rows) => {
    const writer = new Writer();
    writer.reserve(SIGNATURE.length);
    writer.length += SIGNATURE.copy(writer.buffer, writer.length);
    writer.int32(0); // flags
    writer.int32(0); // header extension length
    for (const row of rows) {
      writer.int16(names.length);
      names.forEach((name, i) => {
        const value = row[name];
        if (value === null || value === undefined) writer.int32(-1);
        else encoders[i](writer, value);
      });
    }
    writer.int16(-1);
    return writer.buffer.subarray(0, writer.length);
  };
}
