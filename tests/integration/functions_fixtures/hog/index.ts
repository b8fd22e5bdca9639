// Allocates until the V8 heap limit (FUNCTIONS_MEMORY_MB) ends the process:
// arrays of 100 000 small integers (about 800 kB of heap each), kept.
Deno.serve(() => {
  const keep: number[][] = [];
  for (let i = 0;; i++) keep.push(new Array(100_000).fill(i));
});
