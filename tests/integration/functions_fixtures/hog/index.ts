// Allocates until the V8 heap limit (FUNCTIONS_MEMORY_MB) ends the process.
Deno.serve(() => {
  const keep: string[] = [];
  for (let i = 0;; i++) keep.push("x".repeat(64) + i);
});
