export { disallowPublicObjectAcl } from "./disallowPublicObjectAcl";
