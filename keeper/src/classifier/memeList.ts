/**
 * The maintained meme-token list: tickers the classifier excludes whatever their momentum,
 * because their price is driven by attention rather than by a protocol's use. Add a ticker
 * here when a meme coin reaches the data; a user who wants one anyway lists it in the
 * classifier config's `include`. Last reviewed against CoinGecko's "Meme" category top 30.
 */
export const MEME_LIST: readonly string[] = [
  "DOGE",
  "SHIB",
  "PEPE",
  "FLOKI",
  "BONK",
  "WIF",
  "BRETT",
  "MOG",
  "TURBO",
  "BOME",
  "POPCAT",
  "MEME",
  "LADYS",
  "WOJAK",
  "BABYDOGE",
  "NEIRO",
  "SPX",
  "MEW",
  "DEGEN",
  "AIDOGE",
];
