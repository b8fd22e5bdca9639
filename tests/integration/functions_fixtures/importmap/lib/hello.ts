export const hello = (name: string) => `Hello ${name} from deno.json`;
