import { PassThrough } from "node:stream";
import { expect } from "chai";
import { progressBar } from "../../../keeper/src/cli/progress.js";

/** A stream that is not a terminal, collecting what is written. */
function pipe(): { stream: NodeJS.WriteStream; text: () => string } {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk: Buffer) => {
    text += chunk.toString();
  });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
}

describe("cli progress without a terminal", () => {
  it("prints plain lines: at the start, at most one per interval, and at the end", async () => {
    const out = pipe();
    const bar = progressBar("train steps", "[{bar}] {value}/{total}", out.stream, 50);
    bar.start(1000, 0, { reward: "-" });
    for (let v = 1; v <= 500; v++) bar.update(v, { reward: "0.1" }); // within one interval: no line
    await new Promise((resolve) => setTimeout(resolve, 80));
    bar.update(700, { reward: "0.2" }); // past the interval: one line
    bar.update(1000);
    bar.stop();
    const lines = out.text().trim().split("\n");
    expect(lines).to.deep.equal([
      "train steps: 0/1000 (0%) reward -",
      "train steps: 700/1000 (70%) reward 0.2",
      "train steps: 1000/1000 (100%) reward 0.2",
    ]);
    expect(out.text()).not.to.include(String.fromCharCode(27)); // no terminal escape codes
  });
});
