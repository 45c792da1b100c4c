/**
 * A generation's value: when it was made (milliseconds since the epoch, base 36) and a random part nobody else can
 * pick, so that after an eviction of the generation key old entries stay unreachable. The time lets a reader tell
 * a scope whose last write is recent, which a lagging replica may not have replayed yet.
 */
export const newGeneration = (): string => `${Date.now().toString(36)}.${crypto.randomUUID()}`;

/** How long ago a generation was made; undefined for a value without its time (an older polystore's, or not ours). */
export function generationAgeMs(generation: string, now = Date.now()): number | undefined {
  const made = /^([0-9a-z]{1,11})\./.exec(generation);
  return made ? now - parseInt(made[1], 36) : undefined;
}
