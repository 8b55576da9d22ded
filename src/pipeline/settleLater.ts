/** Lets a promise be awaited later without an unhandled-rejection warning if a sibling fails first. */
export function settleLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
