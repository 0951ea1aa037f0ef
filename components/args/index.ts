/** Every argument type of the package, as users import them. */
export * from "./cluster";
export * from "./security";
export * from "./bootstrap";
export * from "./operations";
