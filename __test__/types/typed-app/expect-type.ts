// Compile-time assertions for the typed app: `expectType<Equal<A, B>>(true)`
// fails to compile unless A and B are the same type (not merely assignable,
// and never `any` standing in for either).
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
export type IsAny<T> = 0 extends 1 & T ? true : false
export function expectType<T extends true>(_proof: T): void {}
