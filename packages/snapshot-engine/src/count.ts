/** "1 item", "2 items": the one way the engine and `npm start` count things in a sentence. */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
