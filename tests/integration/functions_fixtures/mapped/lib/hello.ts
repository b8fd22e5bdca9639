export const hello = (name: string) => `Hello ${name} from the import map`;
