export { familiarReference, familiarRepository, formatReference, parseReference, repositoryName, type Reference } from "./reference.ts";
