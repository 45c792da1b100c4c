/**
 * Runs the tasks given one key one after another, in call order; tasks of different keys run concurrently.
 * A failed task does not stop the next one.
 */
export function keyedSerial(): <R>(key: string, task: () => Promise<R>) => Promise<R> {
  const tails = new Map<string, Promise<unknown>>();
  return (key, task) => {
    const result = (tails.get(key) ?? Promise.resolve()).then(task, task);
    const tail = result.catch(() => undefined);
    tails.set(key, tail);
    // The last task of a key removes it, so that the map holds only keys with work queued.
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return result;
  };
}
