export { disallowPublicMultiRegionAccessPoint } from "./disallowPublicMultiRegionAccessPoint";
