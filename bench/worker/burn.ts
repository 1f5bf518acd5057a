/**
 * Known pure-JavaScript work for calibrating the isolate CPU measurement (bench/lib/isolate-cpu.ts):
 * the same function runs in Node, where `process.cpuUsage` times it, and in the worker's isolate
 * behind the bench entry's `/__bench/burn`, where the V8 profile has to find it again. No I/O,
 * no allocation past a few numbers, nothing the JIT can fold away (the result is returned).
 */
export function burn(rounds: number): number {
  let x = 0x9e3779b9 | 0;
  let sum = 0;
  for (let i = 0; i < rounds; i++) {
    // xorshift32: integer work V8 keeps in registers, the same on every engine build
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    sum = (sum + (x & 0xffff)) | 0;
  }
  return sum;
}
