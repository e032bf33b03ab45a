/** Maps an async stream with bounded concurrency, yielding results in input order. */
export async function* mapOrdered<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  for await (const item of source) {
    const p = fn(item);
    // Rejections are observed when their turn comes; this keeps Node from reporting them early.
    p.catch(() => undefined);
    inFlight.push(p);
    if (inFlight.length >= concurrency) yield await inFlight.shift()!;
  }
  while (inFlight.length > 0) yield await inFlight.shift()!;
}

/** Runs fn over every item with at most `concurrency` at once; the first failure is thrown. */
export async function forEachConcurrent<T>(
  source: AsyncIterable<T> | Iterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  for await (const _ of mapOrdered(source, concurrency, fn)) {
    // results are void
  }
}
