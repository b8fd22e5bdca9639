// Throws inside the handler: the caller gets a 500 JSON error.
Deno.serve(() => {
  throw new Error("boom from the throw fixture");
});
