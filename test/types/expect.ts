/**
 * Type-level assertions, checked by `tsc --noEmit -p .` (the typecheck gate in .ci/run), in the style of
 * tsd's expectType: a wrong type is a compile error, so these files "fail" by not compiling.
 */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only when `T` is `true`. */
export function assertType<T extends true>(..._proof: T extends true ? [] : [never]): void {}
