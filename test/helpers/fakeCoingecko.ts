// The fake CoinGecko lives in demo/, where `npm run demo` serves it to users too; the tests keep
// importing it from here.
export * from "../../demo/fakeCoingecko";
