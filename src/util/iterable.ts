/** `items` mapped through `f` one at a time, as the result is iterated (nothing is built ahead). */
export function mapped<T, U>(items: Iterable<T>, f: (item: T) => U): Iterable<U> {
  return {
    *[Symbol.iterator]() {
      for (const item of items) yield f(item);
    },
  };
}
