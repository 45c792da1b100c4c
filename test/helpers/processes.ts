import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

/** PIDs of the live processes with a command-line argument that starts with `prefix` (Linux /proc). */
export function pidsWithArgument(prefix: string): number[] {
  const cmdline = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      return [];
    }
  };
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && cmdline(entry).some((argument) => argument.startsWith(prefix)))
    .map(Number)
    .filter(isAlive);
}

/** False once the process is gone, or a zombie (the orphan of a killed parent waits for init to reap it). */
export function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Polls until `done` holds; false if it still does not after `ms`. */
export async function within(ms: number, done: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** test/helpers/milvus-child.ts in a process of its own; `next()` reads its next output line. */
export function milvusChild(args: string[]): { child: ChildProcessWithoutNullStreams; next(): Promise<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./milvus-child.ts', import.meta.url).pathname, ...args]);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return {
    child,
    async next() {
      const line = await lines.next();
      if (line.done) throw new Error(`the child exited: ${stderr}`);
      return line.value;
    },
  };
}
