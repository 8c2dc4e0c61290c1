/** CoinGecko's plans live in its preset (presets/coingecko/plans.ts). */
export * from "./presets/coingecko/plans";
