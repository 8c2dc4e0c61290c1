export { disallowWildcardCorsWrite } from "./disallowWildcardCorsWrite";
