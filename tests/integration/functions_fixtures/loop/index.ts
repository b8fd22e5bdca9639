// Never answers: a busy loop, stopped by FUNCTIONS_TIMEOUT.
Deno.serve(() => {
  while (true) { /* spin */ }
});
