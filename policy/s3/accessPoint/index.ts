export { disallowPublicAccessPoint } from "./disallowPublicAccessPoint";
