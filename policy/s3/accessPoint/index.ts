export { disallowPublicAccessPoint } from "./disallowPublicAccessPoint";
export { disallowOpenVpcAccessPointPolicy } from "./disallowOpenVpcAccessPointPolicy";
